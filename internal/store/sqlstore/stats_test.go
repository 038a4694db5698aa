package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

func TestAFreshStoreSaysWhichMigrationsItApplied(t *testing.T) {
	backends(t, func(t *testing.T, st *sqlstore.Store) {
		all, _ := migrations.Versions(st.DialectName())
		if got := st.Migrated(); !reflect.DeepEqual(got, all) {
			t.Fatalf("Migrated() = %v, want every version %v", got, all)
		}
	})
}

// The backlog counts what is neither delivered nor dropped, per channel,
// whether it is due now or waits for a retry.
func TestOutboxPendingCountsTheBacklogPerChannel(t *testing.T) {
	backends(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := context.Background()
		now := time.Unix(2_000_000_000, 0)
		enqueue := func(channel string) int64 {
			m := outbox.Message{Channel: channel, To: "x", Kind: "k", Sealed: []byte("s"), NextAttempt: now, CreatedAt: now}
			if err := st.EnqueueMail(ctx, &m); err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		if got, err := st.OutboxPending(ctx); err != nil || len(got) != 0 {
			t.Fatalf("empty outbox: %v %v", got, err)
		}
		sent, dropped, retried := enqueue(outbox.ChannelMail), enqueue(outbox.ChannelMail), enqueue(outbox.ChannelMail)
		enqueue(outbox.ChannelMail)
		enqueue(outbox.ChannelSMS)
		if err := st.MarkMailSent(ctx, sent, now); err != nil {
			t.Fatal(err)
		}
		if err := st.DropMail(ctx, dropped, "refused", now); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkMailFailed(ctx, retried, "later", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := st.OutboxPending(ctx)
		if want := map[string]int64{outbox.ChannelMail: 2, outbox.ChannelSMS: 1}; err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("OutboxPending = %v (%v), want %v", got, err, want)
		}
	})
}
