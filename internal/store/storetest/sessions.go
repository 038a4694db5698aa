package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var addressTests = []test{
	{"AddAddress fills the id and AddressesOf lists the user's addresses in order", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		first := identity.Address{UserID: u.ID, Address: "3P8JdJGYc7vaLu4UXUZc1iRLdzrkGtdCyJM", Chain: "waves", Name: "main", CreatedAt: t0}
		second := identity.Address{UserID: u.ID, Address: "0x52908400098527886E0F7030069857D2E4169EE7", Chain: "evm", CreatedAt: at(time.Second)}
		noErr(t, "AddAddress", st.AddAddress(ctx, &second)) // added first, created later
		noErr(t, "AddAddress", st.AddAddress(ctx, &first))
		noErr(t, "AddAddress", st.AddAddress(ctx, &identity.Address{UserID: other.ID, Address: "0x1", Chain: "evm", CreatedAt: t0}))
		if _, err := uuid.Parse(first.ID); err != nil {
			t.Fatalf("ID = %q, want a UUID", first.ID)
		}
		got, err := st.AddressesOf(ctx, u.ID)
		noErr(t, "AddressesOf", err)
		same(t, "AddressesOf", got, []identity.Address{first, second})
	}},
	{"AddAddress refuses an address the user already has but not another user's", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		a := identity.Address{UserID: u.ID, Address: "0xabc", Chain: "evm", CreatedAt: t0}
		noErr(t, "AddAddress", st.AddAddress(ctx, &a))
		again := identity.Address{UserID: u.ID, Address: "0xabc", Chain: "evm", CreatedAt: t0}
		wantErr(t, "AddAddress again", st.AddAddress(ctx, &again), core.ErrAddressTaken)
		theirs := identity.Address{UserID: other.ID, Address: "0xabc", Chain: "evm", CreatedAt: t0}
		noErr(t, "AddAddress for another user", st.AddAddress(ctx, &theirs))
		got, err := st.AddressesOf(ctx, u.ID)
		noErr(t, "AddressesOf", err)
		same(t, "AddressesOf", got, []identity.Address{a})
	}},
	{"AddAddress for a missing user returns ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		a := identity.Address{UserID: 424242, Address: "0xabc", Chain: "evm", CreatedAt: t0}
		wantErr(t, "AddAddress", st.AddAddress(ctx, &a), core.ErrNotFound)
	}},
	{"DeleteAddress removes the owner's address only, once", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		keep := identity.Address{UserID: u.ID, Address: "0xabc", Chain: "evm", CreatedAt: t0}
		gone := identity.Address{UserID: u.ID, Address: "0xdef", Chain: "evm", CreatedAt: at(time.Second)}
		theirs := identity.Address{UserID: other.ID, Address: "0xabc", Chain: "evm", CreatedAt: t0}
		for _, a := range []*identity.Address{&keep, &gone, &theirs} {
			noErr(t, "AddAddress", st.AddAddress(ctx, a))
		}
		wantErr(t, "DeleteAddress of another user's", st.DeleteAddress(ctx, u.ID, theirs.ID), core.ErrNotFound)
		noErr(t, "DeleteAddress", st.DeleteAddress(ctx, u.ID, gone.ID))
		wantErr(t, "DeleteAddress twice", st.DeleteAddress(ctx, u.ID, gone.ID), core.ErrNotFound)
		wantErr(t, "DeleteAddress of an unknown id", st.DeleteAddress(ctx, u.ID, uuid.NewString()), core.ErrNotFound)
		got, err := st.AddressesOf(ctx, u.ID)
		noErr(t, "AddressesOf", err)
		same(t, "the owner's addresses", got, []identity.Address{keep})
		got, err = st.AddressesOf(ctx, other.ID)
		noErr(t, "AddressesOf", err)
		same(t, "the other user's addresses", got, []identity.Address{theirs})
	}},
}

var sessionTests = []test{
	{"CreateSession fills the id and SessionByID returns every field", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := identity.Session{
			UserID: u.ID, Door: "bank", ClientID: "WEB", Audience: "api", Pending: true,
			Attrs: map[string]string{"customer_id": "42", "factors": "OTP_SMS"}, UserAgent: "curl/8", IP: "192.0.2.1",
			CreatedAt: t0, LastSeen: at(time.Minute), ExpiresAt: at(time.Hour),
		}
		noErr(t, "CreateSession", st.CreateSession(ctx, &s))
		if _, err := uuid.Parse(s.ID); err != nil {
			t.Fatalf("ID = %q, want a UUID", s.ID)
		}
		got, err := st.SessionByID(ctx, s.ID)
		noErr(t, "SessionByID", err)
		same(t, "SessionByID", got, s)
	}},
	{"CreateSession for a missing user returns ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		s := identity.Session{UserID: 424242, Door: "web", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
		wantErr(t, "CreateSession", st.CreateSession(ctx, &s), core.ErrNotFound)
	}},
	{"Every session method returns ErrNotFound for a missing session", func(t *testing.T, st sqlstore.Backend) {
		missing := uuid.NewString()
		_, err := st.SessionByID(ctx, missing)
		wantErr(t, "SessionByID", err, core.ErrNotFound)
		_, err = st.UpdateSession(ctx, missing, func(*identity.Session) error { return nil })
		wantErr(t, "UpdateSession", err, core.ErrNotFound)
		wantErr(t, "RevokeSession", st.RevokeSession(ctx, missing, t0), core.ErrNotFound)
	}},
	{"SessionsOf lists only the user's sessions, newest first", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		var want []identity.Session
		for i := range 3 {
			s := identity.Session{UserID: u.ID, Door: "web", CreatedAt: at(time.Duration(i) * time.Minute), LastSeen: t0, ExpiresAt: at(time.Hour)}
			noErr(t, "CreateSession", st.CreateSession(ctx, &s))
			want = append([]identity.Session{s}, want...)
		}
		newSession(t, st, other.ID)
		got, err := st.SessionsOf(ctx, u.ID)
		noErr(t, "SessionsOf", err)
		same(t, "SessionsOf", got, want)
	}},
	{"DeviceSeen tells a first sign-in, a known device and a new one apart", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		check := func(step string, user int64, device string, wantAny, wantSeen bool) {
			t.Helper()
			signedIn, seen, err := st.DeviceSeen(ctx, user, device)
			noErr(t, "DeviceSeen", err)
			if signedIn != wantAny || seen != wantSeen {
				t.Fatalf("%s: DeviceSeen = %v, %v; want %v, %v", step, signedIn, seen, wantAny, wantSeen)
			}
		}
		check("no sessions", u.ID, "laptop", false, false)
		ext := identity.Session{UserID: u.ID, Door: "external", Device: "laptop", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
		noErr(t, "CreateSession", st.CreateSession(ctx, &ext))
		check("only an external session", u.ID, "laptop", false, false)
		s := identity.Session{UserID: u.ID, Door: "web", Device: "laptop", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
		noErr(t, "CreateSession", st.CreateSession(ctx, &s))
		noErr(t, "RevokeSession", st.RevokeSession(ctx, s.ID, t0))
		check("known device, session revoked", u.ID, "laptop", true, true)
		check("new device", u.ID, "phone", true, false)
		check("another user's device", other.ID, "laptop", false, false)
	}},
	{"UpdateSession writes what fn sets, keeping the id and user", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		got, err := st.UpdateSession(ctx, s.ID, func(s *identity.Session) error {
			s.Pending, s.Attrs, s.LastSeen = false, map[string]string{"chain": "TOTP"}, at(time.Minute)
			s.ID, s.UserID = "other", 0
			return nil
		})
		noErr(t, "UpdateSession", err)
		want := s
		want.Pending, want.Attrs, want.LastSeen = false, map[string]string{"chain": "TOTP"}, at(time.Minute)
		same(t, "UpdateSession result", got, want)
		reread, err := st.SessionByID(ctx, s.ID)
		noErr(t, "SessionByID", err)
		same(t, "SessionByID after UpdateSession", reread, want)
	}},
	{"UpdateSession writes nothing when fn fails", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		_, err := st.UpdateSession(ctx, s.ID, func(s *identity.Session) error { s.Door = "changed"; return core.ErrForbidden })
		wantErr(t, "UpdateSession", err, core.ErrForbidden)
		reread, err := st.SessionByID(ctx, s.ID)
		noErr(t, "SessionByID", err)
		same(t, "session after failed UpdateSession", reread, s)
	}},
	{"RevokeSession twice keeps the first revocation time", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		noErr(t, "RevokeSession", st.RevokeSession(ctx, s.ID, at(time.Minute)))
		noErr(t, "RevokeSession again", st.RevokeSession(ctx, s.ID, at(time.Hour)))
		got, err := st.SessionByID(ctx, s.ID)
		noErr(t, "SessionByID", err)
		same(t, "RevokedAt", got.RevokedAt, ptr(at(time.Minute)))
	}},
	{"RevokeUserSessions revokes the user's sessions except the kept one", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		a, b, keep, theirs := newSession(t, st, u.ID), newSession(t, st, u.ID), newSession(t, st, u.ID), newSession(t, st, other.ID)
		noErr(t, "RevokeSession", st.RevokeSession(ctx, a.ID, at(time.Second)))
		noErr(t, "RevokeUserSessions", st.RevokeUserSessions(ctx, u.ID, keep.ID, at(time.Minute)))
		want := map[string]*time.Time{a.ID: ptr(at(time.Second)), b.ID: ptr(at(time.Minute)), keep.ID: nil, theirs.ID: nil}
		for id, revoked := range want {
			got, err := st.SessionByID(ctx, id)
			noErr(t, "SessionByID", err)
			same(t, "RevokedAt of "+id, got.RevokedAt, revoked)
		}
		noErr(t, "RevokeUserSessions keeping none", st.RevokeUserSessions(ctx, u.ID, "", at(time.Hour)))
		got, err := st.SessionByID(ctx, keep.ID)
		noErr(t, "SessionByID", err)
		same(t, "RevokedAt of the formerly kept session", got.RevokedAt, ptr(at(time.Hour)))
	}},
}
