package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/outbox/outboxtest"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

const testText = "Your Gatehouse code: 482915"

// newTestOutbox returns an SMS outbox on a fake clock, its store and its
// captured log, with one text queued that expires in five minutes.
func newTestOutbox(t *testing.T) (*Outbox, *outboxtest.Store, *testclock.Clock, *bytes.Buffer) {
	t.Helper()
	clk := testclock.New()
	ob := NewOutbox(outboxtest.NewSealer(t), clk.Now)
	var logs bytes.Buffer
	ob.Log = slog.New(slog.NewTextHandler(&logs, nil))
	st := &outboxtest.Store{}
	if err := ob.QueueSMS(context.Background(), st, "+77011234567", testText, clk.Now().Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return ob, st, clk, &logs
}

func TestQueueSMSSealsTheTextWithAnIDAndItsExpiry(t *testing.T) {
	ob, st, clk, _ := newTestOutbox(t)
	texts, _, _ := st.Snapshot()
	if len(texts) != 1 {
		t.Fatalf("%d texts queued, want 1", len(texts))
	}
	m := texts[0]
	if m.Channel != outbox.ChannelSMS || m.To != "+77011234567" || m.Kind != KindOTP || m.ExpiresAt == nil || !m.ExpiresAt.Equal(clk.Now().Add(5*time.Minute)) {
		t.Fatalf("queued %+v", m)
	}
	if len(m.Sealed) == 0 || bytes.Contains(m.Sealed, []byte("482915")) {
		t.Fatal("the stored text is not sealed: the code is readable")
	}
	body, err := ob.Open(m.Sealed)
	if err != nil {
		t.Fatal(err)
	}
	var q queued
	if err := json.Unmarshal(body, &q); err != nil || q.Text != testText || len(q.ID) != 36 {
		t.Fatalf("sealed body %s: %v", body, err)
	}
}

// flushAfter advances the clock by d and flushes once.
func flushAfter(t *testing.T, ob *Outbox, st outbox.Store, clk *testclock.Clock, s Sender, d time.Duration) {
	t.Helper()
	clk.Advance(d)
	if err := ob.Flush(context.Background(), st, s); err != nil {
		t.Fatal(err)
	}
}

func TestTheOutboxRetriesA5xxAndADroppedConnectionWithTheSameIDUntilTheGatewayAccepts(t *testing.T) {
	ob, st, clk, logs := newTestOutbox(t)
	f := newFakeGateway(t, 200, 503, 0) // 503, then the connection drops, then 200
	gw := NewGateway(f.URL+"/sms", testToken)

	flushAfter(t, ob, st, clk, gw, 0)
	flushAfter(t, ob, st, clk, gw, time.Second) // before the first backoff: nothing is tried
	if n := len(f.requests()); n != 1 {
		t.Fatalf("%d requests before the first retry is due, want 1", n)
	}
	flushAfter(t, ob, st, clk, gw, ob.BaseDelay)
	flushAfter(t, ob, st, clk, gw, 2*ob.BaseDelay)

	got := f.requests()
	if len(got) != 3 {
		t.Fatalf("the gateway received %d requests, want 3 (503, dropped, accepted)", len(got))
	}
	for _, r := range got[1:] {
		if !bytes.Equal(r.Body, got[0].Body) {
			t.Fatalf("a retry sent %s, the first attempt %s: want the same message and id", r.Body, got[0].Body)
		}
	}
	texts, fails, sent := st.Snapshot()
	if len(fails) != 2 || len(sent) != 1 || texts[0].Sealed != nil || texts[0].SentAt == nil {
		t.Fatalf("fails %v, sent %v, text %+v: want two failures, then sent with the body cleared", fails, sent, texts[0])
	}
	for _, secret := range []string{"482915", testToken} {
		if strings.Contains(logs.String(), secret) || strings.Contains(fails[0].ErrText+fails[1].ErrText, secret) {
			t.Fatalf("the log or the stored errors carry %q:\n%s", secret, logs)
		}
	}
	flushAfter(t, ob, st, clk, gw, time.Hour)
	if n := len(f.requests()); n != 3 {
		t.Fatalf("%d requests after delivery, want no more than 3", n)
	}
}

func TestTheOutboxDropsATextTheGatewayRefusesWith400AndNeverRetriesIt(t *testing.T) {
	ob, st, clk, logs := newTestOutbox(t)
	f := newFakeGateway(t, 400)
	gw := NewGateway(f.URL, testToken)
	flushAfter(t, ob, st, clk, gw, 0)
	flushAfter(t, ob, st, clk, gw, time.Minute)
	if n := len(f.requests()); n != 1 {
		t.Fatalf("the gateway received %d requests, want 1: a 400 is not retried", n)
	}
	texts, fails, sent := st.Snapshot()
	if len(st.Dropped()) != 1 || len(fails) != 0 || len(sent) != 0 || texts[0].Sealed != nil || !strings.Contains(texts[0].LastError, "400") {
		t.Fatalf("text %+v, fails %v: want it dropped with the 400 kept and the body cleared", texts[0], fails)
	}
	if !strings.Contains(logs.String(), "given up") || strings.Contains(logs.String(), "482915") {
		t.Fatalf("the log does not say the text was given up, or carries the code:\n%s", logs)
	}
}

func TestATextStillUndeliveredWhenItsCodeExpiresIsDroppedUnsent(t *testing.T) {
	ob, st, clk, _ := newTestOutbox(t)
	f := newFakeGateway(t, 503)
	gw := NewGateway(f.URL, testToken)
	for range 40 { // 40 × 15 s = 10 minutes, twice the code's life
		flushAfter(t, ob, st, clk, gw, 15*time.Second)
	}
	texts, _, sent := st.Snapshot()
	if len(sent) != 0 || len(st.Dropped()) != 1 || !strings.Contains(texts[0].LastError, "expired") || texts[0].Sealed != nil {
		t.Fatalf("text %+v: want it dropped as expired, the body cleared", texts[0])
	}
	n := len(f.requests())
	if n < 5 || n > 20 {
		t.Fatalf("%d attempts in the code's five minutes; want retries every 2 to 30 s, then none", n)
	}
	flushAfter(t, ob, st, clk, gw, time.Hour)
	if len(f.requests()) != n {
		t.Fatal("the expired text was tried again")
	}
}
