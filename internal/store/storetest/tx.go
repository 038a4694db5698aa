package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var errAbort = errors.New("storetest: abort")

var txTests = []test{
	{"Tx commits everything fn wrote", func(t *testing.T, st sqlstore.Backend) {
		var sid string
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			u := newUser(t, tx, "ann@x.test")
			sid = newSession(t, tx, u.ID).ID
			// The transaction reads its own writes.
			_, err := tx.UserByEmail(ctx, "ann@x.test")
			return err
		})
		noErr(t, "Tx", err)
		_, err = st.UserByEmail(ctx, "ann@x.test")
		noErr(t, "UserByEmail after commit", err)
		_, err = st.SessionByID(ctx, sid)
		noErr(t, "SessionByID after commit", err)
	}},
	{"Tx writes nothing when fn returns an error, and returns that error", func(t *testing.T, st sqlstore.Backend) {
		before := newUser(t, st, "before@x.test")
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			u := newUser(t, tx, "ann@x.test")
			newSession(t, tx, u.ID)
			if _, err := tx.UpdateUser(ctx, before.ID, func(u *identity.User) error { u.Name = "changed"; return nil }); err != nil {
				return err
			}
			m := outbox.Message{Channel: outbox.ChannelMail, To: "ann@x.test", Kind: "confirm_email", NextAttempt: t0, CreatedAt: t0}
			if err := tx.EnqueueMail(ctx, &m); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Tx", err, errAbort)
		_, err = st.UserByEmail(ctx, "ann@x.test")
		wantErr(t, "UserByEmail after rollback", err, core.ErrNotFound)
		got, err := st.UserByID(ctx, before.ID)
		noErr(t, "UserByID", err)
		same(t, "user updated in the rolled-back Tx", got, before)
		last, err := st.LastMailAt(ctx, "ann@x.test", "confirm_email")
		noErr(t, "LastMailAt", err)
		if !last.IsZero() {
			t.Fatalf("mail queued in the rolled-back Tx is there (LastMailAt %v)", last)
		}
	}},
	{"Tx nested in fn joins the outer transaction", func(t *testing.T, st sqlstore.Backend) {
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			newUser(t, tx, "outer@x.test")
			inner := tx.Tx(ctx, func(tx2 sqlstore.Backend) error {
				if _, err := tx2.UserByEmail(ctx, "outer@x.test"); err != nil {
					return err // the inner Tx must see the outer's writes
				}
				newUser(t, tx2, "inner@x.test")
				return nil
			})
			if inner != nil {
				return inner
			}
			return errAbort
		})
		wantErr(t, "Tx", err, errAbort)
		for _, e := range []string{"outer@x.test", "inner@x.test"} {
			_, err := st.UserByEmail(ctx, e)
			wantErr(t, "UserByEmail("+e+") after the outer rollback", err, core.ErrNotFound)
		}
	}},
	{"Tx rolls back and re-panics when fn panics", func(t *testing.T, st sqlstore.Backend) {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("Tx swallowed the panic")
				}
			}()
			_ = st.Tx(ctx, func(tx sqlstore.Backend) error {
				newUser(t, tx, "ann@x.test")
				panic("boom")
			})
		}()
		_, err := st.UserByEmail(ctx, "ann@x.test")
		wantErr(t, "UserByEmail after the panic", err, core.ErrNotFound)
	}},
}

var purgeTests = []test{
	{"Purge deletes what expired or was used before the cutoff and keeps the rest", testPurge},
}

func testPurge(t *testing.T, st sqlstore.Backend) {
	cutoff := at(10 * time.Hour)
	u := newUser(t, st, "ann@x.test")
	expired := identity.Session{UserID: u.ID, Door: "web", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}
	noErr(t, "CreateSession", st.CreateSession(ctx, &expired))
	live := newSession(t, st, u.ID) // expires at +24h
	newRefresh(t, st, expired, "of-expired-session", at(20*time.Hour))
	newRefresh(t, st, live, "expired-token", at(time.Hour))
	newRefresh(t, st, live, "live-token", at(20*time.Hour))
	newCode(t, st, u, identity.CodeConfirmEmail, "expired-code", at(time.Hour))
	newCode(t, st, u, identity.CodeConfirmEmail, "used-code", at(20*time.Hour))
	_, err := st.UseCode(ctx, identity.CodeConfirmEmail, hash("used-code"), at(time.Hour))
	noErr(t, "UseCode", err)
	newCode(t, st, u, identity.CodeConfirmEmail, "live-code", at(20*time.Hour))
	sentOld := enqueue(t, st, "old@x.test", "k", t0, t0)
	noErr(t, "MarkMailSent", st.MarkMailSent(ctx, sentOld.ID, at(time.Hour)))
	sentNew := enqueue(t, st, "new@x.test", "k", t0, t0)
	noErr(t, "MarkMailSent", st.MarkMailSent(ctx, sentNew.ID, at(11*time.Hour)))
	unsent := enqueue(t, st, "unsent@x.test", "k", t0, t0)
	droppedOld := enqueue(t, st, "dropped-old@x.test", "k", t0, t0)
	noErr(t, "DropMail", st.DropMail(ctx, droppedOld.ID, "550 no such user", at(time.Hour)))
	droppedNew := enqueue(t, st, "dropped-new@x.test", "k", t0, t0)
	noErr(t, "DropMail", st.DropMail(ctx, droppedNew.ID, "550 no such user", at(11*time.Hour)))
	enqueueSMS(t, st, "+77011234567", t0, at(time.Hour))
	smsLive := enqueueSMS(t, st, "+77017654321", t0, at(11*time.Hour))

	noErr(t, "Purge", st.Purge(ctx, cutoff))

	_, err = st.SessionByID(ctx, expired.ID)
	wantErr(t, "SessionByID(expired)", err, core.ErrNotFound)
	_, err = st.SessionByID(ctx, live.ID)
	noErr(t, "SessionByID(live)", err)
	for _, s := range []string{"of-expired-session", "expired-token"} {
		_, err = st.RefreshTokenByHash(ctx, hash(s))
		wantErr(t, "RefreshTokenByHash("+s+")", err, core.ErrNotFound)
	}
	_, err = st.RefreshTokenByHash(ctx, hash("live-token"))
	noErr(t, "RefreshTokenByHash(live-token)", err)
	// A purged code's hash can be inserted again; a kept one's cannot.
	for _, s := range []string{"expired-code", "used-code"} {
		newCode(t, st, u, identity.CodeConfirmEmail, s, at(20*time.Hour))
	}
	_, err = st.UseCode(ctx, identity.CodeConfirmEmail, hash("live-code"), cutoff)
	noErr(t, "UseCode(live-code)", err)

	for to, want := range map[string]time.Time{"old@x.test": {}, "new@x.test": t0, "unsent@x.test": t0,
		"dropped-old@x.test": {}, "dropped-new@x.test": t0} {
		last, err := st.LastMailAt(ctx, to, "k")
		noErr(t, "LastMailAt", err)
		same(t, "LastMailAt("+to+") after Purge", last, want)
	}
	for to, want := range map[string]time.Time{"+77011234567": {}, "+77017654321": t0} {
		last, err := st.LastMailAt(ctx, to, "otp_sms")
		noErr(t, "LastMailAt", err)
		same(t, "LastMailAt("+to+") after Purge (expired text messages go)", last, want)
	}
	got, err := st.ClaimMail(ctx, outbox.ChannelMail, cutoff, at(11*time.Hour), 10)
	noErr(t, "ClaimMail", err)
	same(t, "unsent mail after Purge", ids(got), []int64{unsent.ID})
	got, err = st.ClaimMail(ctx, outbox.ChannelSMS, cutoff, at(11*time.Hour), 10)
	noErr(t, "ClaimMail", err)
	same(t, "unexpired text message after Purge", ids(got), []int64{smsLive.ID})
}
