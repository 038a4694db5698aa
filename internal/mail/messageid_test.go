package mail

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"regexp"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox/outboxtest"
)

// lostMark is an outbox store whose first MarkMailSent fails, as when a
// node dies, or loses its database, between sending a mail and recording it.
type lostMark struct {
	*outboxtest.Store
	lost bool
}

func (s *lostMark) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	if !s.lost {
		s.lost = true
		return errors.New("connection lost")
	}
	return s.Store.MarkMailSent(ctx, id, at)
}

func TestAMailSentTwiceCarriesOneMessageIDSoTheReceiverCanDropTheDuplicate(t *testing.T) {
	ob, clk, _ := newTestOutbox(t)
	st := &lostMark{Store: &outboxtest.Store{}}
	ctx := context.Background()
	ts := startServer(t, serverConfig{StartTLS: true})
	sender, err := NewSMTP(smtpURL("smtp", "", ts.Addr), SMTPOptions{TLSConfig: trustFixture(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"ivan@example.com", "olena@example.com"} {
		if err := ob.Queue(ctx, st, to, KindConfirmEmail, "en", confirmData("Qz8Lm3Nv7Bx2Kc5Rt9Wp1Y")); err != nil {
			t.Fatal(err)
		}
	}
	if err := ob.Flush(ctx, st, sender); err == nil {
		t.Fatal("Flush hid the failure to record a sent mail")
	}
	clk.Advance(ob.Lease) // the first mail's lease ends: it is sent again
	if err := ob.Flush(ctx, st, sender); err != nil {
		t.Fatal(err)
	}
	got := ts.messages()
	if len(got) != 3 {
		t.Fatalf("the server received %d messages, want the first mail twice and the second once", len(got))
	}
	ids := make([]string, len(got))
	for i, m := range got {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = msg.Header.Get("Message-Id")
		if !regexp.MustCompile(`^<gatehouse\.\d+\.\d+@example\.com>$`).MatchString(ids[i]) {
			t.Fatalf("Message-ID %q, want <gatehouse.ID.CREATED@the sender's domain>", ids[i])
		}
	}
	if ids[0] != ids[2] || ids[0] == ids[1] {
		t.Fatalf("Message-IDs %v: want the two copies of the first mail alike and the second mail's its own", ids)
	}
}
