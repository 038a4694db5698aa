package bank_test

// The bank door's refresh, before and after its refresh token became a
// JWT, in one run (BENCHMARKS.md "Bank refresh token as a JWT"):
//
//	go test -run '^$' -bench BankRefresh -benchtime 2s -count 6 ./internal/core/bank

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
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

// BenchmarkPagesSignIn is the hosted pages' password step of an account
// without customers, before (identity.Factors.SignIn, what the pages
// called) and after (bank.Service.StartChain, which also reads the
// memberships), in one run (BENCHMARKS.md "The pages' sign-in through the
// chain"):
//
//	go test -run '^$' -bench PagesSignIn -benchtime 2s -count 6 ./internal/core/bank
func BenchmarkPagesSignIn(b *testing.B) {
	spec := identity.SessionSpec{Door: identity.WebDoor, UserAgent: "bench", IP: "192.0.2.1", AMR: []string{"pwd"}}
	for _, mode := range []string{"Factors.SignIn", "StartChain"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			ctx := context.Background()
			if _, err := f.e.Identity.AdminCreateUser(ctx, identity.Registration{Email: "bob@example.com", Password: "bob's password 1"}, true, nil); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				var err error
				if mode == "StartChain" {
					_, err = f.e.Bank.StartChain(ctx, bank.Pages, "bob@example.com", "bob's password 1", spec, "")
				} else {
					_, _, err = f.e.Factors.SignIn(ctx, "bob@example.com", "bob's password 1", spec)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
