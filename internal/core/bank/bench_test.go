package bank_test

// The bank door's refresh, before and after its refresh token became a
// JWT, in one run (BENCHMARKS.md "Bank refresh token as a JWT"):
//
//	go test -run '^$' -bench BankRefresh -benchtime 2s -count 6 ./internal/core/bank

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// BenchmarkBankRefresh follows one refresh chain of a complete bank login
// on a real SQLite file: "opaque" answers the core's token as it is (the
// door before), "jwt" wraps each successor and unwraps each presented
// token (HS256).
func BenchmarkBankRefresh(b *testing.B) {
	for _, mode := range []string{"opaque", "jwt"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			if mode == "opaque" {
				f.e.Bank.RefreshTokens = nil
			}
			ctx := context.Background()
			client, err := f.e.Bank.AuthenticateClient(ctx, bank.ClientAuth{ID: bank.DefaultClientID})
			if err != nil {
				b.Fatal(err)
			}
			l := f.complete(b)
			for b.Loop() {
				if l, err = f.e.Bank.Refresh(ctx, client, l.Pair.Refresh, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
