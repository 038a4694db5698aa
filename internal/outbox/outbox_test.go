package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/outbox/outboxtest"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

func TestEnqueueSealsTheBodyStampsTheChannelAndWakesTheWorker(t *testing.T) {
	clk := testclock.New()
	w := outbox.New("fax", outboxtest.NewSealer(t), clk.Now)
	st := &outboxtest.Store{}
	if err := w.Enqueue(context.Background(), st, outbox.Message{To: "+77011234567", Kind: "k"}, []byte("code 918273")); err != nil {
		t.Fatal(err)
	}
	ms, _, _ := st.Snapshot()
	if len(ms) != 1 || ms[0].Channel != "fax" || !ms[0].NextAttempt.Equal(clk.Now()) || !ms[0].CreatedAt.Equal(clk.Now()) {
		t.Fatalf("enqueued %+v", ms)
	}
	if bytes.Contains(ms[0].Sealed, []byte("918273")) {
		t.Fatal("the stored body is not sealed")
	}
	if body, err := w.Open(ms[0].Sealed); err != nil || string(body) != "code 918273" {
		t.Fatalf("Open = %q, %v", body, err)
	}
	select {
	case <-w.WakeUp():
	default:
		t.Fatal("Enqueue did not wake the worker")
	}
}

func TestAWorkerDeliversOnlyItsOwnChannel(t *testing.T) {
	clk := testclock.New()
	sealer := outboxtest.NewSealer(t)
	mail, texts := outbox.New(outbox.ChannelMail, sealer, clk.Now), outbox.New(outbox.ChannelSMS, sealer, clk.Now)
	st := &outboxtest.Store{}
	ctx := context.Background()
	for _, w := range []*outbox.Worker{mail, texts} {
		if err := w.Enqueue(ctx, st, outbox.Message{To: "x", Kind: "k"}, []byte(w.Channel())); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	record := func(_ context.Context, m outbox.Message, body []byte) error {
		got = append(got, m.Channel+":"+string(body))
		return nil
	}
	if err := texts.Flush(ctx, st, record); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[sms:sms]" {
		t.Fatalf("the SMS worker delivered %v", got)
	}
}

func TestAPermanentErrorDropsTheMessageAndATemporaryOneRetriesIt(t *testing.T) {
	clk := testclock.New()
	w := outbox.New(outbox.ChannelSMS, outboxtest.NewSealer(t), clk.Now)
	st := &outboxtest.Store{}
	ctx := context.Background()
	for _, to := range []string{"refused", "busy"} {
		if err := w.Enqueue(ctx, st, outbox.Message{To: to, Kind: "k"}, []byte(to)); err != nil {
			t.Fatal(err)
		}
	}
	tries := map[string]int{}
	deliver := func(_ context.Context, m outbox.Message, _ []byte) error {
		tries[m.To]++
		if m.To == "refused" {
			return fmt.Errorf("gateway: %w", outbox.Permanent(errors.New("400 Bad Request")))
		}
		return errors.New("503 Service Unavailable")
	}
	for range 3 {
		if err := w.Flush(ctx, st, deliver); err != nil {
			t.Fatal(err)
		}
		clk.Advance(w.MaxDelay)
	}
	if tries["refused"] != 1 || tries["busy"] != 3 {
		t.Fatalf("tries %v: want the refused message tried once, the busy one every time", tries)
	}
	ms, fails, _ := st.Snapshot()
	if len(st.Dropped()) != 1 || ms[0].DroppedAt == nil || ms[0].Sealed != nil || len(fails) != 3 {
		t.Fatalf("messages %+v, failures %v", ms, fails)
	}
}

func TestBackoffDoublesFromBaseAndStaysUnderTheCap(t *testing.T) {
	w := outbox.New(outbox.ChannelMail, nil, time.Now)
	for attempt := 0; attempt < 200; attempt++ {
		ceiling := w.MaxDelay
		if attempt < 20 {
			ceiling = min(w.BaseDelay*time.Duration(1<<attempt), w.MaxDelay)
		}
		for range 20 {
			d := w.Backoff(attempt)
			if d > ceiling || d < ceiling*3/4 {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, ceiling*3/4, ceiling)
			}
		}
	}
}
