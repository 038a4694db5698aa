package bank_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// complete signs ann in through a chain-free role and returns the
// complete login.
func (f *fixture) complete(t testing.TB) bank.Login {
	t.Helper()
	ctx := context.Background()
	role, err := f.e.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "VIEWER"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.CreateCustomer(ctx, bank.Customer{ID: 888, Name: "View LLP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.SetMembership(ctx, f.user.ID, 888, role.ID); err != nil {
		t.Fatal(err)
	}
	l, err := f.e.Bank.SignIn(ctx, f.grant(f.enc(t, "ann@example.com"), f.enc(t, "ann's password 1")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.e.Bank.Step(ctx, l.Pair.Access, bank.ClientAuth{}, true)
	if err != nil {
		t.Fatal(err)
	}
	l, err = f.e.Bank.SelectCustomer(ctx, s.Principal, s.Client, 888, "")
	if err != nil || !l.Complete {
		t.Fatalf("step 2 of a chain-free role: %+v %v", l, err)
	}
	return l
}

func TestTheBankRefreshTokenIsAJWTWhoseJTIIsTheCoresHandle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client, err := f.e.Bank.AuthenticateClient(ctx, bank.ClientAuth{ID: bank.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	l := f.complete(t)
	if strings.Count(l.Pair.Refresh, ".") != 2 {
		t.Fatalf("refresh token %q is not a compact JWS", l.Pair.Refresh)
	}
	next, err := f.e.Bank.Refresh(ctx, client, l.Pair.Refresh, "")
	if err != nil || strings.Count(next.Pair.Refresh, ".") != 2 || next.Pair.Refresh == l.Pair.Refresh {
		t.Fatalf("refresh: %q %v", next.Pair.Refresh, err)
	}
	// Inside the grace, the spent token gets the same successor, to the byte.
	again, err := f.e.Bank.Refresh(ctx, client, l.Pair.Refresh, "")
	if err != nil || again.Pair.Refresh != next.Pair.Refresh {
		t.Fatalf("retry inside the grace: %q %v, want %q", again.Pair.Refresh, err, next.Pair.Refresh)
	}
	// A token whose signature does not check is unknown, and spends nothing.
	parts := strings.Split(next.Pair.Refresh, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	if _, err := f.e.Bank.Refresh(ctx, client, forged, ""); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("a forged signature: %v, want ErrInvalidToken", err)
	}
	if _, err := f.e.Bank.Refresh(ctx, client, next.Pair.Refresh, ""); err != nil {
		t.Fatalf("the successor after the forgery: %v", err)
	}
	// Once the successor is used, the first token is reuse: the family goes.
	if _, err := f.e.Bank.Refresh(ctx, client, l.Pair.Refresh, ""); !errors.Is(err, core.ErrTokenReused) {
		t.Fatalf("reuse after the successor was used: %v, want ErrTokenReused", err)
	}
}

// TestAnOpaqueRefreshTokenFromBeforeTheUpgradeKeepsWorking: a session
// opened while the door answered the core's opaque tokens refreshes into
// JWTs, and its rotation goes on.
func TestAnOpaqueRefreshTokenFromBeforeTheUpgradeKeepsWorking(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client, err := f.e.Bank.AuthenticateClient(ctx, bank.ClientAuth{ID: bank.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	jwts := f.e.Bank.RefreshTokens
	f.e.Bank.RefreshTokens = nil // the door before the upgrade
	old := f.complete(t)
	f.e.Bank.RefreshTokens = jwts
	if strings.Contains(old.Pair.Refresh, ".") {
		t.Fatalf("the pre-upgrade token %q is not opaque", old.Pair.Refresh)
	}
	next, err := f.e.Bank.Refresh(ctx, client, old.Pair.Refresh, "")
	if err != nil || strings.Count(next.Pair.Refresh, ".") != 2 {
		t.Fatalf("refresh of an opaque token: %q %v", next.Pair.Refresh, err)
	}
	if _, err := f.e.Bank.Refresh(ctx, client, next.Pair.Refresh, ""); err != nil {
		t.Fatalf("refresh of its JWT successor: %v", err)
	}
}
