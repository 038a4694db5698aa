package keys_test

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys"
)

// The reference benchmarks pin RS256 with RSA-2048 (docs/design.md "Decisions").

func BenchmarkSignRS256(b *testing.B) {
	e := newEnv()
	r := e.ring(b, keys.RingOptions{Alg: "RS256"})
	c := sampleClaims(e.clk.Now())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Sign(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRS256(b *testing.B) {
	e := newEnv()
	r := e.ring(b, keys.RingOptions{Alg: "RS256"})
	tok := mustSign(b, r, sampleClaims(e.clk.Now()))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
