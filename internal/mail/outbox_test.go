package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/outbox/outboxtest"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

const testFrom = "Gatehouse <no-reply@example.com>"

func confirmData(code string) map[string]string {
	return map[string]string{"code": code, "link": "https://id.example.com/v1/user/confirm/" + code}
}

// newTestOutbox returns an outbox on a fake clock whose log is captured.
func newTestOutbox(t *testing.T) (*Outbox, *testclock.Clock, *bytes.Buffer) {
	t.Helper()
	clk := testclock.New()
	ob := NewOutbox(outboxtest.NewSealer(t), testFrom, clk.Now)
	var logs bytes.Buffer
	ob.Log = slog.New(slog.NewTextHandler(&logs, nil))
	return ob, clk, &logs
}

func TestQueueSealsTheRenderedMessage(t *testing.T) {
	ob, clk, _ := newTestOutbox(t)
	st := &outboxtest.Store{}
	code := "Qz8Lm3Nv7Bx2Kc5Rt9Wp1Y"
	if err := ob.Queue(context.Background(), st, "ivan@example.com", KindConfirmEmail, "ru", confirmData(code)); err != nil {
		t.Fatal(err)
	}
	mails, _, _ := st.Snapshot()
	if len(mails) != 1 {
		t.Fatalf("%d mails enqueued, want 1", len(mails))
	}
	m := mails[0]
	if m.To != "ivan@example.com" || m.Kind != KindConfirmEmail || !m.CreatedAt.Equal(clk.Now()) || !m.NextAttempt.Equal(clk.Now()) {
		t.Errorf("enqueued %+v", m)
	}
	if bytes.Contains(m.Sealed, []byte(code)) || len(m.Sealed) == 0 {
		t.Error("the stored body is not sealed: the code is readable")
	}
	body, err := ob.Open(m.Sealed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(body)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(KindConfirmEmail, "ru", confirmData(code))
	if got != want || m.Channel != outbox.ChannelMail || m.ExpiresAt != nil {
		t.Errorf("sealed message differs from the rendering, or is no mail that never expires:\n%+v\n%+v", got, m)
	}
}

func TestQueueRefusesWhatItCannotRender(t *testing.T) {
	ob, _, _ := newTestOutbox(t)
	st := &outboxtest.Store{}
	if err := ob.Queue(context.Background(), st, "a@example.com", "surprise", "en", nil); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("err = %v, want ErrUnknownKind", err)
	}
	if err := ob.Queue(context.Background(), st, "a@example.com", KindOTPCode, "en", nil); !errors.Is(err, ErrMissingData) {
		t.Errorf("err = %v, want ErrMissingData", err)
	}
	if mails, _, _ := st.Snapshot(); len(mails) != 0 {
		t.Errorf("%d mails enqueued", len(mails))
	}
}

// checkRetryScheduled asserts one failure of mail 1, due later but within
// the first backoff step, and nothing delivered.
func checkRetryScheduled(t *testing.T, st *outboxtest.Store, now time.Time, ob *Outbox) {
	t.Helper()
	mails, fails, sent := st.Snapshot()
	if len(fails) != 1 || len(sent) != 0 {
		t.Fatalf("fails=%v sent=%v, want one failure and nothing sent", fails, sent)
	}
	f := fails[0]
	if !f.Next.After(now) || f.Next.After(now.Add(ob.BaseDelay)) {
		t.Errorf("next attempt %v, want within (now, now+%v]", f.Next.Sub(now), ob.BaseDelay)
	}
	if f.ErrText == "" || mails[0].Attempts != 1 || mails[0].SentAt != nil {
		t.Errorf("failure not recorded: %+v", mails[0])
	}
}

// checkDeliveredOnce asserts the mail was marked sent and the server got it once.
func checkDeliveredOnce(t *testing.T, st *outboxtest.Store, ts *testServer, code string) {
	t.Helper()
	mails, _, sent := st.Snapshot()
	if len(sent) != 1 || mails[0].SentAt == nil || mails[0].Sealed != nil {
		t.Errorf("sent=%v mail=%+v, want marked sent with the body cleared", sent, mails[0])
	}
	got := ts.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want exactly 1", len(got))
	}
	if p := parseMIME(t, got[0].Data); !hasLine(p.Parts["text/plain"], code) {
		t.Errorf("delivered text lacks the code line:\n%s", p.Parts["text/plain"])
	}
}

func TestOutboxRetriesAfterATemporaryRejectionAndDeliversOnce(t *testing.T) {
	ob, clk, logs := newTestOutbox(t)
	st := &outboxtest.Store{}
	ctx := context.Background()
	ts := startServer(t, serverConfig{StartTLS: true, User: "gate", Pass: "pw"})
	sender, err := NewSMTP(smtpURL("smtp", "gate:pw", ts.Addr), SMTPOptions{TLSConfig: trustFixture(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	code := "Hh4Jj5Kk6Ll7Mm8Nn9Pp0Q"
	if err := ob.Queue(ctx, st, "ivan@example.com", KindConfirmEmail, "ru", confirmData(code)); err != nil {
		t.Fatal(err)
	}

	ts.failNext(1) // 451 at MAIL FROM
	if err := ob.Flush(ctx, st, sender); err != nil {
		t.Fatal(err)
	}
	checkRetryScheduled(t, st, clk.Now(), ob)
	if !strings.Contains(logs.String(), "delivery failed") || strings.Contains(logs.String(), code) {
		t.Errorf("the failure log is missing or carries the code:\n%s", logs)
	}

	if err := ob.Flush(ctx, st, sender); err != nil { // not due yet
		t.Fatal(err)
	}
	if _, fails, _ := st.Snapshot(); len(fails) != 1 || len(ts.messages()) != 0 {
		t.Fatalf("a mail not yet due was attempted again")
	}

	clk.Advance(ob.BaseDelay)
	if err := ob.Flush(ctx, st, sender); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour)
	if err := ob.Flush(ctx, st, sender); err != nil {
		t.Fatal(err)
	}
	checkDeliveredOnce(t, st, ts, code)
}

func TestOutboxRetriesAfterTheServerWasUnreachable(t *testing.T) {
	ob, clk, _ := newTestOutbox(t)
	st := &outboxtest.Store{}
	ctx := context.Background()
	down, err := NewSMTP(smtpURL("smtp", "", closedAddr(t)), SMTPOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	code := "Aa1Bb2Cc3Dd4Ee5Ff6Gg7H"
	if err := ob.Queue(ctx, st, "olena@example.com", KindConfirmEmail, "uk", confirmData(code)); err != nil {
		t.Fatal(err)
	}
	if err := ob.Flush(ctx, st, down); err != nil {
		t.Fatal(err)
	}
	checkRetryScheduled(t, st, clk.Now(), ob)

	ts := startServer(t, serverConfig{StartTLS: true})
	up, err := NewSMTP(smtpURL("smtp", "", ts.Addr), SMTPOptions{TLSConfig: trustFixture(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(ob.BaseDelay)
	for range 2 {
		if err := ob.Flush(ctx, st, up); err != nil {
			t.Fatal(err)
		}
	}
	checkDeliveredOnce(t, st, ts, code)
}

// recordingSender hands every message to a channel.
type recordingSender struct{ got chan Message }

func (r recordingSender) Send(_ context.Context, _, _ string, m Message) error {
	r.got <- m
	return nil
}

func TestRunDeliversPromptlyWhenWokenAndStopsWithItsContext(t *testing.T) {
	ob, _, _ := newTestOutbox(t)
	ob.Interval = time.Hour // only the wake-up can make delivery prompt
	st := &outboxtest.Store{}
	sender := recordingSender{got: make(chan Message, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); ob.Run(ctx, st, sender) }()

	if err := ob.Queue(ctx, st, "a@example.com", KindOTPCode, "en", map[string]string{"code": "918273"}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-sender.got:
		if !hasLine(m.Text, "918273") {
			t.Errorf("delivered text lacks the code:\n%s", m.Text)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not deliver the queued mail")
	}
	cancel()
	wg.Wait() // hangs, and the test times out, if Run ignores its context
	if _, _, sent := st.Snapshot(); len(sent) != 1 {
		t.Errorf("sent = %v, want one", sent)
	}
}

func TestLogSenderWritesTheMessageForTheDeveloper(t *testing.T) {
	var out bytes.Buffer
	m, _ := Render(KindOTPCode, "en", map[string]string{"code": "556677"})
	if err := NewLogSender(&out).Send(context.Background(), testFrom, "dev@example.com", m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"To: dev@example.com", "Subject: " + m.Subject, "\n556677\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFlushDeliversEveryDueMailAcrossSeveralBatches(t *testing.T) {
	ob, _, _ := newTestOutbox(t)
	ob.Batch = 2
	st := &outboxtest.Store{}
	sender := recordingSender{got: make(chan Message, 5)}
	for i := range 5 {
		code := strings.Repeat(string(rune('a'+i)), 8)
		if err := ob.Queue(context.Background(), st, "a@example.com", KindOTPCode, "en", map[string]string{"code": code}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ob.Flush(context.Background(), st, sender); err != nil {
		t.Fatal(err)
	}
	if _, _, sent := st.Snapshot(); len(sent) != 5 || len(sender.got) != 5 {
		t.Errorf("sent %v, sender got %d; want all 5 once", sent, len(sender.got))
	}
}

// blockingSender holds each Send until the test lets it go, and says when
// one has begun.
type blockingSender struct {
	begun   chan struct{}
	release chan struct{}
	ctxErr  chan error // the context's state when Send returns
}

func (b blockingSender) Send(ctx context.Context, _, _ string, _ Message) error {
	b.begun <- struct{}{}
	<-b.release
	b.ctxErr <- ctx.Err()
	return nil
}

func TestRunStopsBetweenMailsWhenItsContextEnds(t *testing.T) {
	ob, _, _ := newTestOutbox(t)
	st := &outboxtest.Store{}
	for _, code := range []string{"111111", "222222", "333333"} {
		if err := ob.Queue(context.Background(), st, "a@example.com", KindOTPCode, "en", map[string]string{"code": code}); err != nil {
			t.Fatal(err)
		}
	}
	sender := blockingSender{begun: make(chan struct{}, 3), release: make(chan struct{}), ctxErr: make(chan error, 3)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ob.Run(ctx, st, sender); close(done) }()

	<-sender.begun // the first mail is being sent…
	cancel()       // …when shutdown begins
	close(sender.release)
	<-done
	if err := <-sender.ctxErr; err != nil {
		t.Fatalf("the mail being sent had its delivery cancelled: %v", err)
	}
	if _, _, sent := st.Snapshot(); len(sent) != 1 {
		t.Fatalf("sent %v: want the mail in progress delivered and recorded, and no other begun", sent)
	}
	if n := len(sender.begun); n != 0 {
		t.Fatalf("%d more mails begun after the stop", n)
	}
}
