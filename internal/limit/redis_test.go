package limit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/limit"
)

const redisURL = "redis://127.0.0.1:6379/0"

// newRedis returns a limiter on the local Redis with a random key prefix
// (never FLUSHDB: the server may be shared), skipping when Redis is down
// unless GATEHOUSE_TEST_SERVICES=require.
func newRedis(t testing.TB) *limit.Redis {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	r, err := limit.NewRedis(redisURL, "gatehouse-test:"+hex.EncodeToString(b)+":")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Ping(context.Background()); err != nil {
		if os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" {
			t.Fatalf("Redis unreachable and GATEHOUSE_TEST_SERVICES=require: %v", err)
		}
		t.Skipf("Redis unreachable at %s: %v", redisURL, err)
	}
	return r
}

func TestRedisCountsPerKeyAndWindow(t *testing.T) {
	r := newRedis(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if ok, _, err := r.Allow(ctx, "ip:login:192.0.2.1", 3, time.Minute); !ok || err != nil {
			t.Fatalf("event %d refused: %v", i+1, err)
		}
	}
	ok, retry, err := r.Allow(ctx, "ip:login:192.0.2.1", 3, time.Minute)
	if ok || err != nil || retry <= 0 || retry > time.Minute {
		t.Fatalf("fourth event: ok=%v retry=%v err=%v", ok, retry, err)
	}
	if ok, _, _ := r.Allow(ctx, "ip:login:192.0.2.2", 3, time.Minute); !ok {
		t.Fatal("another key shares the count")
	}
}

// Two nodes sharing Redis see one count: that is the point of it.
func TestTwoNodesShareTheCount(t *testing.T) {
	a := newRedis(t)
	b, err := limit.NewRedis(redisURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	*b = *a // same prefix, own struct: a second node
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := 0; i < 40; i++ {
		wg.Add(1)
		node := a
		if i%2 == 1 {
			node = b
		}
		go func() {
			defer wg.Done()
			ok, _, err := node.Allow(ctx, "sub:login:ann@example.com", 10, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != 10 {
		t.Fatalf("%d of 40 allowed across two nodes, want exactly 10", allowed)
	}
}

func TestFallbackCountsLocallyWhenRedisIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	dead, err := limit.NewRedis("redis://"+addr, "x:")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	var logs bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := &limit.Fallback{Primary: dead, Local: limit.NewMemory(clock), Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: clock}
	for i := 0; i < 2; i++ {
		if ok, _, err := f.Allow(context.Background(), "k", 2, time.Minute); !ok || err != nil {
			t.Fatalf("event %d: ok=%v err=%v", i+1, ok, err)
		}
	}
	if ok, retry, err := f.Allow(context.Background(), "k", 2, time.Minute); ok || err != nil || retry <= 0 {
		t.Fatalf("third event passed with Redis down: ok=%v err=%v", ok, err)
	}
	if n := strings.Count(logs.String(), "Redis failed"); n != 1 {
		t.Fatalf("outage logged %d times, want once:\n%s", n, logs.String())
	}
}

// BenchmarkRedisAllow is one shared rate-limit check (GATEHOUSE_REDIS_URL):
// a round trip to the local Redis running the limiter's script, on keys
// within their limit.
func BenchmarkRedisAllow(b *testing.B) {
	r := newRedis(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		key := "ip:login:10.1." + strings.Repeat("x", i%7) // a few keys, as a busy client spreads over endpoints
		if ok, _, err := r.Allow(ctx, key, 1<<30, time.Minute); !ok || err != nil {
			b.Fatalf("Allow = %v, %v", ok, err)
		}
		i++
	}
}
