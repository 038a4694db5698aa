package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

func TestAFreshStoreSaysWhichMigrationsItApplied(t *testing.T) {
	backends(t, func(t *testing.T, st *sqlstore.Store) {
		all, _ := migrations.Versions(st.Dialect().Name)
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
			m := core.OutboxMail{Channel: channel, To: "x", Kind: "k", Sealed: []byte("s"), NextAttempt: now, CreatedAt: now}
			if err := st.EnqueueMail(ctx, &m); err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		if got, err := st.OutboxPending(ctx); err != nil || len(got) != 0 {
			t.Fatalf("empty outbox: %v %v", got, err)
		}
		sent, dropped, retried := enqueue(core.ChannelMail), enqueue(core.ChannelMail), enqueue(core.ChannelMail)
		enqueue(core.ChannelMail)
		enqueue(core.ChannelSMS)
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
		if want := map[string]int64{core.ChannelMail: 2, core.ChannelSMS: 1}; err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("OutboxPending = %v (%v), want %v", got, err, want)
		}
	})
}
