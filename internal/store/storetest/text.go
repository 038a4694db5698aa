package storetest

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// textTests: text PostgreSQL cannot hold (bytes that are not UTF-8, NUL)
// is refused alike on every backend with ErrInvalidText, a typed error,
// instead of a driver error on one backend and a stored row on the other;
// nothing is written, and a transaction it aborts leaves nothing either.
var textTests = []test{
	{"text that is not UTF-8 or holds NUL is refused on writes, typed, and nothing is stored", func(t *testing.T, st sqlstore.Backend) {
		for _, bad := range []string{"Caf\xe9", "a\x00b"} {
			u := identity.User{Email: "ann@example.com", Name: bad, Locale: "en", Source: "license", CreatedAt: t0, UpdatedAt: t0}
			wantInvalidText(t, "CreateUser with the name "+bad, st.CreateUser(ctx, &u))
			e := identity.AuditEvent{At: t0, Type: "login.failed", Outcome: "failed", Actor: "anonymous", UserAgent: bad}
			wantInvalidText(t, "InsertAudit with the user agent "+bad, st.InsertAudit(ctx, &e))
		}
		_, err := st.UserByEmail(ctx, "ann@example.com")
		wantErr(t, "UserByEmail after the refusals", err, core.ErrNotFound)
		_, n, err := st.ListAudit(ctx, identity.AuditFilter{Limit: 10})
		noErr(t, "ListAudit", err)
		if n != 0 {
			t.Fatalf("%d audit rows after the refusals, want 0", n)
		}
	}},
	{"a look-up by such a key is refused, typed, and the store keeps working", func(t *testing.T, st sqlstore.Backend) {
		a := newUser(t, st, "a@x.test")
		_, err := st.UserByEmail(ctx, "a\x00@x.test")
		wantInvalidText(t, "UserByEmail with a NUL", err)
		_, err = st.SessionByID(ctx, "\xff")
		wantInvalidText(t, "SessionByID of a byte that is not UTF-8", err)
		_, err = attemptsOf(st, "pair:a\x00@x.test|192.0.2.1")
		wantInvalidText(t, "Attempts with a NUL", err)
		got, err := st.UserByEmail(ctx, "a@x.test")
		noErr(t, "UserByEmail after the refusals", err)
		same(t, "the user", got.ID, a.ID)
	}},
	{"a refusal inside a transaction rolls it back like any error", func(t *testing.T, st sqlstore.Backend) {
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			newUser(t, tx, "b@x.test")
			_, err := tx.UpdateUser(ctx, 1, func(u *identity.User) error { u.Name = "B\x00"; return nil })
			return err
		})
		wantInvalidText(t, "UpdateUser in a transaction", err)
		_, err = st.UserByEmail(ctx, "b@x.test")
		wantErr(t, "the user of the rolled-back transaction", err, core.ErrNotFound)
		newUser(t, st, "b@x.test") // the store still writes
	}},
}

func wantInvalidText(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, core.ErrInvalidText) || core.KindOf(err) != core.KindInvalid {
		t.Fatalf("%s: error %v, want ErrInvalidText", what, err)
	}
}
