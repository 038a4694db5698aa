package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var codeTests = []test{
	{"UseCode returns the code once and ErrCodeInvalid after", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		c := newCode(t, st, u, identity.CodeConfirmEmail, "code", at(time.Hour))
		got, err := st.UseCode(ctx, identity.CodeConfirmEmail, hash("code"), at(time.Minute))
		noErr(t, "UseCode", err)
		want := c
		want.UsedAt = ptr(at(time.Minute))
		same(t, "UseCode", got, want)
		_, err = st.UseCode(ctx, identity.CodeConfirmEmail, hash("code"), at(2*time.Minute))
		wantErr(t, "UseCode again", err, core.ErrCodeInvalid)
	}},
	{"UseCode refuses unknown, expired and other-kind codes without using them", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		newCode(t, st, u, identity.CodeResetPassword, "reset", at(time.Hour))
		cases := []struct {
			name   string
			kind   identity.CodeKind
			secret string
			at     time.Time
		}{
			{"an unknown code", identity.CodeResetPassword, "unknown", t0},
			{"the code of another kind", identity.CodeConfirmEmail, "reset", t0},
			{"the code at its expiry", identity.CodeResetPassword, "reset", at(time.Hour)},
			{"the code after its expiry", identity.CodeResetPassword, "reset", at(2 * time.Hour)},
		}
		for _, c := range cases {
			_, err := st.UseCode(ctx, c.kind, hash(c.secret), c.at)
			wantErr(t, "UseCode of "+c.name, err, core.ErrCodeInvalid)
		}
		_, err := st.UseCode(ctx, identity.CodeResetPassword, hash("reset"), at(time.Minute))
		noErr(t, "UseCode of the valid code after the refusals", err)
	}},
	{"LiveCode reads a live code without using it and refuses the rest", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		c := newCode(t, st, u, identity.CodeResetPassword, "reset", at(time.Hour))
		for i := 0; i < 2; i++ { // reading twice: nothing was spent
			got, err := st.LiveCode(ctx, identity.CodeResetPassword, hash("reset"), at(time.Minute))
			noErr(t, "LiveCode", err)
			same(t, "LiveCode", got, c)
		}
		for name, read := range map[string]func() error{
			"an unknown code": func() error { _, err := st.LiveCode(ctx, identity.CodeResetPassword, hash("x"), t0); return err },
			"another kind":    func() error { _, err := st.LiveCode(ctx, identity.CodeConfirmEmail, hash("reset"), t0); return err },
			"the code at expiry": func() error {
				_, err := st.LiveCode(ctx, identity.CodeResetPassword, hash("reset"), at(time.Hour))
				return err
			},
			"the code after expiry": func() error {
				_, err := st.LiveCode(ctx, identity.CodeResetPassword, hash("reset"), at(2*time.Hour))
				return err
			},
		} {
			wantErr(t, "LiveCode of "+name, read(), core.ErrCodeInvalid)
		}
		live := func(id int64, kind identity.CodeKind, when time.Time) bool {
			ok, err := st.HasLiveCode(ctx, id, kind, when)
			noErr(t, "HasLiveCode", err)
			return ok
		}
		if !live(u.ID, identity.CodeResetPassword, at(time.Minute)) || live(u.ID, identity.CodeConfirmEmail, at(time.Minute)) ||
			live(other.ID, identity.CodeResetPassword, at(time.Minute)) || live(u.ID, identity.CodeResetPassword, at(time.Hour)) {
			t.Fatal("HasLiveCode: want true only for the user's reset code before its expiry")
		}
		_, err := st.UseCode(ctx, identity.CodeResetPassword, hash("reset"), at(time.Minute))
		noErr(t, "UseCode after LiveCode", err)
		_, err = st.LiveCode(ctx, identity.CodeResetPassword, hash("reset"), at(2*time.Minute))
		wantErr(t, "LiveCode of a used code", err, core.ErrCodeInvalid)
		if live(u.ID, identity.CodeResetPassword, at(2*time.Minute)) {
			t.Fatal("HasLiveCode after the code was used")
		}
	}},
	{"InvalidateCodes uses up the user's unused codes of that kind only", func(t *testing.T, st sqlstore.Backend) {
		u, other := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
		newCode(t, st, u, identity.CodeConfirmEmail, "old-1", at(time.Hour))
		newCode(t, st, u, identity.CodeConfirmEmail, "old-2", at(time.Hour))
		newCode(t, st, u, identity.CodeResetPassword, "reset", at(time.Hour))
		newCode(t, st, other, identity.CodeConfirmEmail, "other", at(time.Hour))
		noErr(t, "InvalidateCodes", st.InvalidateCodes(ctx, u.ID, identity.CodeConfirmEmail, at(time.Second)))
		for _, s := range []string{"old-1", "old-2"} {
			_, err := st.UseCode(ctx, identity.CodeConfirmEmail, hash(s), at(time.Minute))
			wantErr(t, "UseCode("+s+")", err, core.ErrCodeInvalid)
		}
		_, err := st.UseCode(ctx, identity.CodeResetPassword, hash("reset"), at(time.Minute))
		noErr(t, "UseCode of the other kind", err)
		_, err = st.UseCode(ctx, identity.CodeConfirmEmail, hash("other"), at(time.Minute))
		noErr(t, "UseCode of the other user", err)
	}},
	{"InsertCode for a missing user returns ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		c := identity.Code{Hash: hash("x"), Kind: identity.CodeConfirmEmail, UserID: 424242, Email: "x@x.test", CreatedAt: t0, ExpiresAt: at(time.Hour)}
		wantErr(t, "InsertCode", st.InsertCode(ctx, &c), core.ErrNotFound)
	}},
}

// enqueue queues a mail to to of kind, created at created and due at due.
func enqueue(t *testing.T, st sqlstore.Backend, to, kind string, created, due time.Time) outbox.Message {
	t.Helper()
	m := outbox.Message{Channel: outbox.ChannelMail, To: to, Kind: kind, Sealed: []byte("sealed " + to), NextAttempt: due, CreatedAt: created}
	noErr(t, "EnqueueMail", st.EnqueueMail(ctx, &m))
	return m
}

// enqueueSMS queues a text message to phone, due at created, that
// expires at expires.
func enqueueSMS(t *testing.T, st sqlstore.Backend, phone string, created, expires time.Time) outbox.Message {
	t.Helper()
	m := outbox.Message{Channel: outbox.ChannelSMS, To: phone, Kind: "otp_sms", Sealed: []byte("sealed " + phone),
		NextAttempt: created, CreatedAt: created, ExpiresAt: &expires}
	noErr(t, "EnqueueMail", st.EnqueueMail(ctx, &m))
	return m
}

func ids(ms []outbox.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

var outboxTests = []test{
	{"EnqueueMail fills the id and LastMailAt reports the newest mail of the kind to the address", func(t *testing.T, st sqlstore.Backend) {
		last, err := st.LastMailAt(ctx, "ann@x.test", "confirm_email")
		noErr(t, "LastMailAt", err)
		if !last.IsZero() {
			t.Fatalf("LastMailAt with no mail = %v, want the zero time", last)
		}
		a := enqueue(t, st, "ann@x.test", "confirm_email", at(time.Minute), t0)
		b := enqueue(t, st, "ann@x.test", "confirm_email", t0, t0) // queued later, created earlier
		enqueue(t, st, "ann@x.test", "reset_password", at(time.Hour), t0)
		enqueue(t, st, "bob@x.test", "confirm_email", at(time.Hour), t0)
		if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
			t.Fatalf("ids %d, %d: want distinct and non-zero", a.ID, b.ID)
		}
		last, err = st.LastMailAt(ctx, "ann@x.test", "confirm_email")
		noErr(t, "LastMailAt", err)
		same(t, "LastMailAt", last, at(time.Minute))
	}},
	{"ClaimMail returns due unsent mail up to the limit and leases it", func(t *testing.T, st sqlstore.Backend) {
		due1 := enqueue(t, st, "a@x.test", "k", t0, t0)
		due2 := enqueue(t, st, "b@x.test", "k", t0, at(time.Second))
		due3 := enqueue(t, st, "c@x.test", "k", t0, at(2*time.Second))
		enqueue(t, st, "later@x.test", "k", t0, at(time.Hour))
		now, lease := at(time.Minute), at(2*time.Minute)

		got, err := st.ClaimMail(ctx, outbox.ChannelMail, now, lease, 2)
		noErr(t, "ClaimMail", err)
		same(t, "first claim", ids(got), []int64{due1.ID, due2.ID})
		want := due1
		want.NextAttempt = lease
		same(t, "claimed mail", got[0], want)

		got, err = st.ClaimMail(ctx, outbox.ChannelMail, now, lease, 10)
		noErr(t, "ClaimMail", err)
		same(t, "second claim", ids(got), []int64{due3.ID})
		got, err = st.ClaimMail(ctx, outbox.ChannelMail, now, lease, 10)
		noErr(t, "ClaimMail", err)
		same(t, "claim while leased", ids(got), []int64(nil))
		got, err = st.ClaimMail(ctx, outbox.ChannelMail, lease, at(3*time.Minute), 10)
		noErr(t, "ClaimMail", err)
		same(t, "claim after the lease", ids(got), []int64{due1.ID, due2.ID, due3.ID})
	}},
	{"MarkMailSent takes the mail out of the queue for good", func(t *testing.T, st sqlstore.Backend) {
		m := enqueue(t, st, "a@x.test", "k", t0, t0)
		other := enqueue(t, st, "b@x.test", "k", t0, t0)
		noErr(t, "MarkMailSent", st.MarkMailSent(ctx, m.ID, at(time.Second)))
		got, err := st.ClaimMail(ctx, outbox.ChannelMail, at(time.Hour), at(2*time.Hour), 10)
		noErr(t, "ClaimMail", err)
		same(t, "claim after sending", ids(got), []int64{other.ID})
		last, err := st.LastMailAt(ctx, "a@x.test", "k")
		noErr(t, "LastMailAt", err)
		same(t, "LastMailAt still counts the sent mail", last, t0)
	}},
	{"MarkMailFailed counts the attempt, keeps the error and reschedules", func(t *testing.T, st sqlstore.Backend) {
		m := enqueue(t, st, "a@x.test", "k", t0, t0)
		noErr(t, "MarkMailFailed", st.MarkMailFailed(ctx, m.ID, "421 try later", at(time.Hour)))
		noErr(t, "MarkMailFailed", st.MarkMailFailed(ctx, m.ID, "450 mailbox busy", at(2*time.Hour)))
		got, err := st.ClaimMail(ctx, outbox.ChannelMail, at(time.Hour), at(3*time.Hour), 10)
		noErr(t, "ClaimMail", err)
		same(t, "claim before the next attempt", ids(got), []int64(nil))
		got, err = st.ClaimMail(ctx, outbox.ChannelMail, at(2*time.Hour), at(3*time.Hour), 10)
		noErr(t, "ClaimMail", err)
		want := m
		want.Attempts, want.LastError, want.NextAttempt = 2, "450 mailbox busy", at(3*time.Hour)
		same(t, "claim at the next attempt", got, []outbox.Message{want})
	}},
	{"MarkMailSent and MarkMailFailed return ErrNotFound for a missing mail", func(t *testing.T, st sqlstore.Backend) {
		wantErr(t, "MarkMailSent", st.MarkMailSent(ctx, 424242, t0), core.ErrNotFound)
		wantErr(t, "MarkMailFailed", st.MarkMailFailed(ctx, 424242, "x", t0), core.ErrNotFound)
	}},
	{"ClaimMail with a limit of zero claims nothing", func(t *testing.T, st sqlstore.Backend) {
		enqueue(t, st, "a@x.test", "k", t0, t0)
		got, err := st.ClaimMail(ctx, outbox.ChannelMail, at(time.Hour), at(2*time.Hour), 0)
		noErr(t, "ClaimMail", err)
		same(t, "claim", ids(got), []int64(nil))
	}},
	{"ClaimMail hands out only the messages of its channel, with their expiry", func(t *testing.T, st sqlstore.Backend) {
		m := enqueue(t, st, "a@x.test", "k", t0, t0)
		text := enqueueSMS(t, st, "+77011234567", t0, at(5*time.Minute))
		now, lease := at(time.Second), at(time.Minute)
		got, err := st.ClaimMail(ctx, outbox.ChannelSMS, now, lease, 10)
		noErr(t, "ClaimMail(sms)", err)
		want := text
		want.NextAttempt = lease
		same(t, "claimed text messages", got, []outbox.Message{want})
		got, err = st.ClaimMail(ctx, outbox.ChannelMail, now, lease, 10)
		noErr(t, "ClaimMail(mail)", err)
		same(t, "claimed mail", ids(got), []int64{m.ID})
		if got[0].ExpiresAt != nil {
			t.Fatalf("a mail expires at %v, want never", got[0].ExpiresAt)
		}
		got, err = st.ClaimMail(ctx, "fax", at(time.Hour), at(2*time.Hour), 10)
		noErr(t, "ClaimMail(fax)", err)
		same(t, "claim of a channel without messages", ids(got), []int64(nil))
	}},
	{"DropMail gives a message up for good, and ErrNotFound for a missing one", func(t *testing.T, st sqlstore.Backend) {
		text := enqueueSMS(t, st, "+77011234567", t0, at(5*time.Minute))
		other := enqueueSMS(t, st, "+77017654321", t0, at(5*time.Minute))
		noErr(t, "MarkMailFailed", st.MarkMailFailed(ctx, text.ID, "gateway answered 503", t0))
		noErr(t, "DropMail", st.DropMail(ctx, text.ID, "gateway answered 400", at(time.Second)))
		got, err := st.ClaimMail(ctx, outbox.ChannelSMS, at(time.Minute), at(2*time.Minute), 10)
		noErr(t, "ClaimMail", err)
		same(t, "claim after the drop", ids(got), []int64{other.ID})
		got, err = st.ClaimMail(ctx, outbox.ChannelSMS, at(time.Hour), at(2*time.Hour), 10)
		noErr(t, "ClaimMail", err)
		same(t, "claim after the lease", ids(got), []int64{other.ID})
		wantErr(t, "DropMail of a missing message", st.DropMail(ctx, 424242, "x", t0), core.ErrNotFound)
		last, err := st.LastMailAt(ctx, "+77011234567", "otp_sms")
		noErr(t, "LastMailAt", err)
		same(t, "LastMailAt still counts the dropped message", last, t0)
	}},
}
