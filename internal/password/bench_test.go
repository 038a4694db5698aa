package password

import (
	"context"
	"testing"
)

// The benchmarks run DefaultParams: they measure what a login costs in
// production, and Verify's parallel variant shows the pool's throughput.

func BenchmarkHashDefault(b *testing.B) {
	h := newHasher(b, Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func benchVerifyHash(b *testing.B) (*Hasher, string) {
	h := newHasher(b, Options{})
	hash, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	return h, hash
}

func BenchmarkVerifyDefault(b *testing.B) {
	h, hash := benchVerifyHash(b)
	ctx := context.Background()
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, hash, "correct horse battery staple"); err != nil || !ok {
			b.Fatalf("Verify = %v, %v", ok, err)
		}
	}
}

// BenchmarkVerifyDefaultParallel runs GOMAXPROCS callers (set with -cpu);
// up to 5×NumCPU of them fit the default pool (Workers + Queue), so none is
// turned away and ns/op shows the pool's throughput.
func BenchmarkVerifyDefaultParallel(b *testing.B) {
	h, hash := benchVerifyHash(b)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if ok, _, err := h.Verify(ctx, hash, "correct horse battery staple"); err != nil || !ok {
				b.Errorf("Verify = %v, %v", ok, err)
				return
			}
		}
	})
}
