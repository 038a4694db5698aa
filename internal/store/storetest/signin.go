package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// A sign-in's writes in one call (identity.Records.OpenSession).

var openingTests = []test{
	{"OpenSession stores the session, its refresh token, the audit row and the last-seen time, and clears the counters named", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		fail(t, st, "pair:ann@x.test|192.0.2.1")
		fail(t, st, "acct:ann@x.test")
		o := opening(u, "laptop", "first")
		o.Clear = []string{"pair:ann@x.test|192.0.2.1"}
		newDevice, err := st.OpenSession(ctx, o)
		noErr(t, "OpenSession", err)
		if newDevice || o.Audit.ID == 0 {
			t.Fatalf("OpenSession: newDevice %v, audit id %d; want false (no new-device mail asked) and an id", newDevice, o.Audit.ID)
		}
		got, err := st.SessionByID(ctx, o.Session.ID)
		noErr(t, "SessionByID", err)
		same(t, "the session", got, *o.Session)
		rt, err := st.RefreshTokenByHash(ctx, o.Refresh.Hash)
		noErr(t, "RefreshTokenByHash", err)
		same(t, "the refresh token", rt, *o.Refresh)
		audit, n, err := st.ListAudit(ctx, identity.AuditFilter{})
		noErr(t, "ListAudit", err)
		if n != 1 {
			t.Fatalf("%d audit rows, want 1", n)
		}
		same(t, "the audit row", audit[0], *o.Audit)
		after, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		if after.LastSeenAt == nil || !after.LastSeenAt.Equal(o.TouchedAt) {
			t.Fatalf("LastSeenAt = %v, want %v", after.LastSeenAt, o.TouchedAt)
		}
		if a, _ := attemptsOf(st, "pair:ann@x.test|192.0.2.1"); a.Failures != 0 {
			t.Fatalf("the pair's counter survived: %+v", a)
		}
		if a, _ := attemptsOf(st, "acct:ann@x.test"); a.Failures != 1 {
			t.Fatalf("a counter not named was cleared: %+v", a)
		}
		if m := queued(t, st); len(m) != 0 {
			t.Fatalf("%d mails queued, want none", len(m))
		}
	}},
	{"OpenSession queues the new-device mail only when the user signed in before, never from this device", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		open := func(step, device string, want bool) {
			t.Helper()
			before := len(queued(t, st))
			o := opening(u, device, uuid.NewString())
			calls := 0
			o.NewDevice = func() (outbox.Message, error) { calls++; return *mail(u, "new_device"), nil }
			newDevice, err := st.OpenSession(ctx, o)
			noErr(t, step, err)
			if calls > 1 || (want && calls != 1) {
				t.Fatalf("%s: the mail was made %d times", step, calls)
			}
			mails := queued(t, st)
			if newDevice != want || len(mails)-before != map[bool]int{false: 0, true: 1}[want] {
				t.Fatalf("%s: newDevice %v with %d mails queued; want %v", step, newDevice, len(mails)-before, want)
			}
			if want && (mails[len(mails)-1].Kind != "new_device" || mails[len(mails)-1].To != u.Email) {
				t.Fatalf("%s: queued %+v", step, mails[len(mails)-1])
			}
		}
		ext := identity.Session{UserID: u.ID, Door: identity.ExternalDoor, Device: "phone", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
		noErr(t, "CreateSession", st.CreateSession(ctx, &ext))
		theirs := identity.Session{UserID: other.ID, Door: "platform", Device: "tablet", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
		noErr(t, "CreateSession", st.CreateSession(ctx, &theirs))
		open("the first sign-in (an external token and another user's session are not sign-ins)", "laptop", false)
		open("the same device again", "laptop", false)
		open("a new device", "phone", true)
		open("that device again", "phone", false)
		open("another user's device", "tablet", true)
	}},
	{"OpenSession queues its Mail whatever the store holds", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		o := opening(u, "laptop", "first")
		o.Session.Door, o.Mail = identity.ExternalDoor, mail(u, "external_token")
		newDevice, err := st.OpenSession(ctx, o)
		noErr(t, "OpenSession", err)
		mails := queued(t, st)
		if newDevice || len(mails) != 1 || mails[0].Kind != "external_token" || string(mails[0].Sealed) != string(o.Mail.Sealed) {
			t.Fatalf("newDevice %v, queued %+v; want the one mail given", newDevice, mails)
		}
	}},
	{"OpenSession for a missing user returns ErrNotFound and stores nothing", func(t *testing.T, st sqlstore.Backend) {
		o := opening(identity.User{ID: 424242, Email: "gone@x.test"}, "laptop", "first")
		o.Mail = mail(identity.User{Email: "gone@x.test"}, "external_token")
		_, err := st.OpenSession(ctx, o)
		wantErr(t, "OpenSession", err, core.ErrNotFound)
		nothingOpened(t, st, o, nil)
	}},
	{"a session id already taken fails the whole opening: nothing of it is stored", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		taken := newSession(t, st, u.ID)
		o := failingOpening(t, st, u)
		o.Session.ID = taken.ID
		if _, err := st.OpenSession(ctx, o); err == nil {
			t.Fatal("OpenSession with a taken session id succeeded")
		}
		nothingOpened(t, st, o, &u)
		if _, err := st.RefreshTokenByHash(ctx, o.Refresh.Hash); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the refresh token was stored: %v", err)
		}
	}},
	{"a refresh-token hash already taken fails the whole opening: nothing of it is stored", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		newRefresh(t, st, newSession(t, st, u.ID), "taken", at(time.Hour))
		o := failingOpening(t, st, u)
		o.Refresh.Hash = hash("taken")
		if _, err := st.OpenSession(ctx, o); err == nil {
			t.Fatal("OpenSession with a taken refresh-token hash succeeded")
		}
		nothingOpened(t, st, o, &u)
		if _, err := st.SessionByID(ctx, o.Session.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the session was stored: %v", err)
		}
	}},
	{"a new-device mail that cannot be made fails the whole opening: nothing of it is stored", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		o := failingOpening(t, st, u)
		boom := errors.New("cannot render")
		o.NewDevice = func() (outbox.Message, error) { return outbox.Message{}, boom }
		if _, err := st.OpenSession(ctx, o); !errors.Is(err, boom) {
			t.Fatalf("OpenSession: %v, want the mail's error", err)
		}
		nothingOpened(t, st, o, &u)
		if _, err := st.SessionByID(ctx, o.Session.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the session was stored: %v", err)
		}
	}},
	{"OpenSession inside Tx rolls back with it", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		o := failingOpening(t, st, u)
		boom := errors.New("boom")
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			if newDevice, err := tx.OpenSession(ctx, o); err != nil || !newDevice {
				t.Fatalf("OpenSession in Tx: newDevice %v, %v; want true", newDevice, err)
			}
			return boom
		})
		if err != boom {
			t.Fatalf("Tx returned %v", err)
		}
		nothingOpened(t, st, o, &u)
		if _, err := st.SessionByID(ctx, o.Session.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the session survived the rollback: %v", err)
		}
	}},
}

// opening is a sign-in of u from device whose refresh token is secret's:
// no counter to clear and no mail.
func opening(u identity.User, device, secret string) *identity.SessionOpening {
	s := identity.Session{ID: uuid.NewString(), UserID: u.ID, Door: "platform", Attrs: map[string]string{"k": "v"}, UserAgent: "ua",
		IP: "192.0.2.1", Device: device, CreatedAt: at(time.Minute), LastSeen: at(time.Minute), ExpiresAt: at(24 * time.Hour)}
	return &identity.SessionOpening{
		Session: &s,
		Refresh: &identity.RefreshToken{Hash: hash(secret), SessionID: s.ID, UserID: u.ID, IssuedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt},
		Audit: &identity.AuditEvent{At: s.CreatedAt, Type: identity.AuditLoginSucceeded, Outcome: identity.AuditOK, UserID: u.ID,
			Actor: identity.UserActor(u.ID), Subject: s.ID, IP: s.IP, UserAgent: s.UserAgent, Detail: map[string]string{"door": s.Door}},
		TouchedAt: s.CreatedAt,
	}
}

// failingOpening is an opening of u that would write everything: a
// counter to clear (failed once here), the new-device mail (u has signed
// in from another device here) and a mail. A test then makes it fail.
func failingOpening(t *testing.T, st sqlstore.Backend, u identity.User) *identity.SessionOpening {
	t.Helper()
	fail(t, st, "pair:"+u.Email+"|192.0.2.1")
	old := identity.Session{UserID: u.ID, Door: "platform", Device: "desktop", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
	noErr(t, "CreateSession", st.CreateSession(ctx, &old))
	o := opening(u, "laptop", "new")
	o.Clear, o.Mail, o.NewDevice = []string{"pair:" + u.Email + "|192.0.2.1"}, mail(u, "external_token"), made(mail(u, "new_device"))
	return o
}

// nothingOpened fails unless no part of o is stored: no audit row, no
// mail, the counter o clears still counted, and u (when given) not
// touched. The session and refresh token are the caller's to check, one
// of them having been there before.
func nothingOpened(t *testing.T, st sqlstore.Backend, o *identity.SessionOpening, u *identity.User) {
	t.Helper()
	if _, n, err := st.ListAudit(ctx, identity.AuditFilter{}); err != nil || n != 0 {
		t.Fatalf("%d audit rows (%v), want none", n, err)
	}
	if m := queued(t, st); len(m) != 0 {
		t.Fatalf("%d mails queued, want none", len(m))
	}
	for _, k := range o.Clear {
		if a, _ := attemptsOf(st, k); a.Failures != 1 {
			t.Fatalf("the counter %s was cleared: %+v", k, a)
		}
	}
	if u != nil {
		after, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		if after.LastSeenAt != nil {
			t.Fatalf("LastSeenAt = %v, want unset", after.LastSeenAt)
		}
	}
}

// fail counts one failure on key.
func fail(t *testing.T, st sqlstore.Backend, key string) {
	t.Helper()
	_, err := st.UpdateAttempts(ctx, key, func(a *identity.Attempts) error { a.Failures++; a.LastAt = t0; return nil })
	noErr(t, "UpdateAttempts", err)
}

// mail is a sealed mail of kind to u, as Mailer.Prepare makes it.
func mail(u identity.User, kind string) *outbox.Message {
	return &outbox.Message{Channel: outbox.ChannelMail, To: u.Email, Kind: kind, Sealed: []byte("sealed " + kind), NextAttempt: t0, CreatedAt: t0}
}

// made is a NewDevice that makes m.
func made(m *outbox.Message) func() (outbox.Message, error) {
	return func() (outbox.Message, error) { return *m, nil }
}

// queued is every mail in the outbox, in the order queued.
func queued(t *testing.T, st sqlstore.Backend) []outbox.Message {
	t.Helper()
	m, err := st.ClaimMail(ctx, outbox.ChannelMail, at(1000*time.Hour), at(1000*time.Hour), 1000)
	noErr(t, "ClaimMail", err)
	return m
}
