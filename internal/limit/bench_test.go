package limit

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// BenchmarkMemoryAllow is one rate-limit check on a key that is within its
// limit, among 10 000 active keys.
func BenchmarkMemoryAllow(b *testing.B) {
	m := NewMemory(time.Now)
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = "ip:login:10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if ok, _, err := m.Allow(ctx, keys[i%len(keys)], 1<<30, time.Minute); !ok || err != nil {
			b.Fatalf("Allow = %v, %v", ok, err)
		}
		i++
	}
}

// BenchmarkMemoryAllowParallel is the same from every CPU at once (one
// mutex guards the windows).
func BenchmarkMemoryAllowParallel(b *testing.B) {
	m := NewMemory(time.Now)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if ok, _, err := m.Allow(ctx, "k"+strconv.Itoa(i%1000), 1<<30, time.Minute); !ok || err != nil {
				b.Errorf("Allow = %v, %v", ok, err)
				return
			}
			i++
		}
	})
}
