package limit

import (
	"context"
	"testing"
	"time"
)

func TestMemoryAllowsLimitPerWindowThenTellsWhenToRetry(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemory(func() time.Time { return now })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if ok, _, _ := m.Allow(ctx, "k", 3, time.Minute); !ok {
			t.Fatalf("event %d refused within the limit", i)
		}
	}
	ok, retry, _ := m.Allow(ctx, "k", 3, time.Minute)
	if ok || retry != time.Minute {
		t.Fatalf("fourth event: ok=%v retry=%v, want refused with 1m", ok, retry)
	}
	if ok, _, _ := m.Allow(ctx, "other", 3, time.Minute); !ok {
		t.Fatal("another key must have its own count")
	}
	now = now.Add(time.Minute)
	if ok, _, _ := m.Allow(ctx, "k", 3, time.Minute); !ok {
		t.Fatal("a new window must allow again")
	}
}

func TestMemoryForgetsEndedWindows(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemory(func() time.Time { return now })
	for i := 0; i < 100; i++ {
		m.Allow(context.Background(), string(rune('a'+i)), 1, time.Second)
	}
	now = now.Add(2 * time.Second)
	m.Allow(context.Background(), "z", 1, time.Second)
	if n := len(m.windows); n != 1 {
		t.Fatalf("windows kept = %d, want 1", n)
	}
}

func TestMemoryRefusesNewKeysPastItsBoundInsteadOfGrowing(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemory(func() time.Time { return now })
	m.MaxKeys = 10
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if ok, _, _ := m.Allow(ctx, string(rune('a'+i)), 5, time.Minute); !ok {
			t.Fatalf("key %d refused below the bound", i)
		}
	}
	if ok, retry, _ := m.Allow(ctx, "new", 5, time.Minute); ok || retry <= 0 {
		t.Fatalf("a new key past the bound: ok=%v retry=%v", ok, retry)
	}
	if ok, _, _ := m.Allow(ctx, "a", 5, time.Minute); !ok {
		t.Fatal("a known key must keep counting")
	}
	if n := len(m.windows); n != 10 {
		t.Fatalf("%d keys held, bound 10", n)
	}
}
