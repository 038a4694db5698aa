package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The identity domain's rules, called directly on a real SQLite store.

func account(t *testing.T, e *coretest.Env, email string) identity.User {
	t.Helper()
	u, err := e.Identity.AdminCreateUser(context.Background(), identity.Registration{Email: email, Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var platform = identity.RefreshOptions{Doors: []string{"platform"}}

func TestASpentRefreshTokenIsARetryWithinItsWindowAndReuseAfterIt(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "ann@example.com")
	first, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	next, err := e.Identity.Refresh(ctx, first.Refresh, platform)
	if err != nil {
		t.Fatal(err)
	}
	// A retry (a lost answer) within the window gets the same successor.
	again, err := e.Identity.Refresh(ctx, first.Refresh, platform)
	if err != nil || again.Refresh != next.Refresh {
		t.Fatalf("retry within the window: %v, successor %t", err, again.Refresh == next.Refresh)
	}
	// Past the window (the request deadline, then the grace), it is reuse.
	e.Clock.Advance(config.Default().RequestTimeout + config.Default().RefreshGrace + time.Second)
	_, err = e.Identity.Refresh(ctx, first.Refresh, platform)
	if !errors.Is(err, core.ErrTokenReused) || errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("past the window: %v, want ErrTokenReused (and not ErrInvalidToken)", err)
	}
	// Reuse revokes the whole family: the successor is dead too.
	if _, err := e.Identity.Refresh(ctx, next.Refresh, platform); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("the successor after reuse: %v, want ErrInvalidToken", err)
	}
	if s, _ := e.Identity.Sessions(ctx, u.ID); len(s) != 0 {
		t.Fatalf("%d sessions left after reuse", len(s))
	}
}

func TestOnceItsSuccessorIsUsedASpentTokenIsReuseAtOnce(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "bob@example.com")
	first, _ := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "platform"})
	next, err := e.Identity.Refresh(ctx, first.Refresh, platform)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Identity.Refresh(ctx, next.Refresh, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Identity.Refresh(ctx, first.Refresh, platform); !errors.Is(err, core.ErrTokenReused) {
		t.Fatalf("a token whose successor was used: %v, want ErrTokenReused", err)
	}
}

func TestAnotherDoorsRefreshTokenIsUnknownAndStaysUnspent(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "cat@example.com")
	p, _ := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "cashdesk"})
	if _, err := e.Identity.Refresh(ctx, p.Refresh, platform); !errors.Is(err, core.ErrInvalidToken) || errors.Is(err, core.ErrTokenReused) {
		t.Fatalf("a cashdesk token at the platform: %v, want ErrInvalidToken", err)
	}
	if _, err := e.Identity.Refresh(ctx, p.Refresh, identity.RefreshOptions{Doors: []string{"cashdesk"}}); err != nil {
		t.Fatalf("at its own door afterwards: %v", err)
	}
}

func TestASessionTakingOverAParentRevokesItOnceAndOnlyOnce(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "dan@example.com")
	step1, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "bank", Pending: true, UserAgent: "ua", IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	parent := step1.Session
	step2, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "bank", Parent: &parent,
		Events: []identity.AuditEvent{{Type: identity.AuditCustomerChosen, UserID: u.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if step2.Session.Attrs["parent"] != parent.ID || step2.Session.UserAgent != "ua" || step2.Session.IP != "192.0.2.1" {
		t.Fatalf("the step does not inherit its parent: %+v", step2.Session)
	}
	if _, err := e.Identity.VerifyAccess(ctx, step1.Access, identity.VerifyOptions{AllowPending: true}); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("the parent's token after the step: %v, want ErrInvalidToken", err)
	}
	// The same step again (a replay, a race) is refused, and opens nothing.
	if _, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "bank", Parent: &parent}); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("a second take-over: %v, want ErrInvalidToken", err)
	}
	if s, _ := e.Identity.Sessions(ctx, u.ID); len(s) != 1 {
		t.Fatalf("%d active sessions, want the one step 2 opened", len(s))
	}
	events, _, err := e.Identity.AuditLog(ctx, identity.AuditFilter{UserID: u.ID, Type: "bank."})
	if err != nil || len(events) != 1 {
		t.Fatalf("the step's event: %d rows, %v", len(events), err)
	}
}

func TestEverySpellingOfAnAddressIsOneAccount(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	account(t, e, "José@Example.com")
	for _, spelling := range []string{"josé@example.com", "JOSÉ@EXAMPLE.COM", "jose\u0301@example.com", "ｊｏｓé@example.com"} {
		if ok, err := e.Identity.EmailExists(ctx, spelling); err != nil || !ok {
			t.Errorf("%q: exists %v, %v", spelling, ok, err)
		}
		_, err := e.Identity.AdminCreateUser(ctx, identity.Registration{Email: spelling, Password: "long enough 1"}, true, nil)
		if !errors.Is(err, core.ErrLoginTaken) {
			t.Errorf("%q: a second account: %v, want ErrLoginTaken", spelling, err)
		}
	}
}
