package limit_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/limit"
)

// TestPeekTellsABlockedKeyWithoutCounting: on both limiters, Peek says
// "within" until Allow has recorded limit events, then "over" with the
// window's remaining time, and never counts an event itself.
func TestPeekTellsABlockedKeyWithoutCounting(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for name, l := range map[string]interface {
		limit.Peeker
		Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error)
	}{"memory": limit.NewMemory(func() time.Time { return now }), "redis": newRedis(t)} {
		ctx := context.Background()
		for range 10 { // peeking never counts
			if ok, _, err := l.Peek(ctx, "k", 3); !ok || err != nil {
				t.Fatalf("%s: an unused key peeks as over (%v)", name, err)
			}
		}
		for i := range 3 {
			if ok, _, _ := l.Allow(ctx, "k", 3, time.Minute); !ok {
				t.Fatalf("%s: event %d refused", name, i+1)
			}
		}
		ok, retry, err := l.Peek(ctx, "k", 3)
		if ok || err != nil || retry <= 0 || retry > time.Minute {
			t.Fatalf("%s: after 3 of 3 events Peek = %v, %v, %v; want over, with the window's rest", name, ok, retry, err)
		}
		if ok, _, _ := l.Peek(ctx, "other", 3); !ok {
			t.Fatalf("%s: another key is over", name)
		}
	}
}
