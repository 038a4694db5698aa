package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

func TestTheOwnerChangesNameAndLocaleAndTheChangeIsAudited(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "ann@example.com")
	name, locale := "  Ann Smith ", "uk"
	got, err := e.Identity.UpdateProfile(ctx, u.ID, identity.ProfileUpdate{Name: &name, Locale: &locale})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ann Smith" || got.Locale != "uk" {
		t.Fatalf("profile = %q %q, want the trimmed name and uk", got.Name, got.Locale)
	}
	stored, err := e.Identity.User(ctx, u.ID)
	if err != nil || stored.Name != "Ann Smith" || stored.Locale != "uk" {
		t.Fatalf("stored = %q %q, %v", stored.Name, stored.Locale, err)
	}
	// The filter takes a family ("_" is no filter character): account.
	events, _, err := e.Identity.AuditLog(ctx, identity.AuditFilter{UserID: u.ID, Type: "account."})
	var updated []identity.AuditEvent
	for _, ev := range events {
		if ev.Type == identity.AuditProfileUpdated {
			updated = append(updated, ev)
		}
	}
	if err != nil || len(updated) != 1 || updated[0].Detail["fields"] != "name,locale" || updated[0].Actor != identity.UserActor(u.ID) {
		t.Fatalf("audit = %+v, %v", events, err)
	}
}

func TestABadProfileChangeNamesItsFieldAndChangesNothing(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "bob@example.com")
	good, bad, nul, long := "Bob", "fr", "Bob\x00", string(make([]byte, 201))
	for _, c := range []struct {
		upd   identity.ProfileUpdate
		field string
	}{
		{identity.ProfileUpdate{Name: &good, Locale: &bad}, "locale"},
		{identity.ProfileUpdate{Name: &nul}, "name"},
		{identity.ProfileUpdate{Name: &long, Locale: &good}, "name"},
	} {
		_, err := e.Identity.UpdateProfile(ctx, u.ID, c.upd)
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Kind != core.KindInvalid || ce.Field != c.field {
			t.Errorf("UpdateProfile(%+v) = %v, want an invalid %s", c.upd, err, c.field)
		}
	}
	stored, err := e.Identity.User(ctx, u.ID)
	if err != nil || stored.Name != u.Name || stored.Locale != u.Locale {
		t.Fatalf("stored = %q %q, want unchanged %q %q (%v)", stored.Name, stored.Locale, u.Name, u.Locale, err)
	}
}

func TestSigningOutEverywhereElseKeepsOnlyTheCurrentSession(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	u := account(t, e, "cat@example.com")
	var pairs []identity.TokenPair
	for range 3 {
		p, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "platform"})
		if err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, p)
	}
	other := account(t, e, "dan@example.com")
	theirs, err := e.Identity.StartSession(ctx, other, identity.SessionSpec{Door: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.Identity.RevokeOtherSessions(ctx, u.ID, pairs[0].Session.ID)
	if err != nil || n != 2 {
		t.Fatalf("RevokeOtherSessions = %d, %v; want 2", n, err)
	}
	if _, err := e.Identity.VerifyAccess(ctx, pairs[0].Access, identity.VerifyOptions{}); err != nil {
		t.Fatalf("the kept session is refused: %v", err)
	}
	for _, p := range pairs[1:] {
		if _, err := e.Identity.VerifyAccess(ctx, p.Access, identity.VerifyOptions{}); !errors.Is(err, core.ErrInvalidToken) {
			t.Errorf("an ended session's token: %v, want invalid_token", err)
		}
	}
	if _, err := e.Identity.VerifyAccess(ctx, theirs.Access, identity.VerifyOptions{}); err != nil {
		t.Fatalf("another user's session was ended: %v", err)
	}
	events, _, err := e.Identity.AuditLog(ctx, identity.AuditFilter{UserID: u.ID, Type: identity.AuditSessionRevoked})
	if err != nil || len(events) != 2 {
		t.Fatalf("audit = %d rows, %v; want 2", len(events), err)
	}
}
