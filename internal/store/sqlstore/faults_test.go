package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// watcher records what the store reports.
type watcher struct {
	mu        sync.Mutex
	failed    []string
	succeeded int
}

func (w *watcher) WriteFailed(class string) {
	w.mu.Lock()
	w.failed = append(w.failed, class)
	w.mu.Unlock()
}
func (w *watcher) WriteSucceeded() { w.mu.Lock(); w.succeeded++; w.mu.Unlock() }

func (w *watcher) counts() ([]string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.failed...), w.succeeded
}

func backends(t *testing.T, fn func(t *testing.T, st *sqlstore.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}

func user(email string) *identity.User {
	now := time.Now()
	return &identity.User{Email: email, PasswordHash: "x", Locale: "en", Source: "license", CreatedAt: now, UpdatedAt: now}
}

func TestAWriteRefusedForAFullDiskIsUnavailableAndReported(t *testing.T) {
	backends(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := context.Background()
		w := &watcher{}
		st.Watch(w)
		free := storetest.FillDisk(t, st.DB(), "users")

		// Inside a transaction and outside one, the error is the core's
		// "unavailable" (503 + Retry-After on every door), not an untyped 500.
		err := st.Tx(ctx, func(tx sqlstore.Backend) error { return tx.CreateUser(ctx, user("ann@example.com")) })
		if core.KindOf(err) != core.KindUnavailable || !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("in a transaction: %v (kind %v), want unavailable", err, core.KindOf(err))
		}
		var ce *core.Error
		if errors.As(err, &ce); ce.RetryAfter <= 0 {
			t.Fatalf("no Retry-After: %+v", ce)
		}
		if err := st.CreateUser(ctx, user("bob@example.com")); core.KindOf(err) != core.KindUnavailable {
			t.Fatalf("outside a transaction: %v, want unavailable", err)
		}
		if failed, _ := w.counts(); len(failed) != 2 || failed[0] != "disk_full" || failed[1] != "disk_full" {
			t.Fatalf("reported %v, want two disk_full", failed)
		}
		if _, err := st.UserByEmail(ctx, "ann@example.com"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the refused insert left a row: %v", err)
		}

		// A read-only transaction proves nothing about writes.
		_, before := w.counts()
		if err := st.Tx(ctx, func(tx sqlstore.Backend) error { _, err := tx.Setting(ctx, "x"); return ignoreNotFound(err) }); err != nil {
			t.Fatal(err)
		}
		if _, after := w.counts(); after != before {
			t.Fatal("a transaction that wrote nothing was reported as a successful write")
		}
		// Nor do updates and deletes, which succeed on a full disk too.
		if err := st.RevokeUserSessions(ctx, 1, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, after := w.counts(); after != before {
			t.Fatal("an update was reported as proof that the database has room")
		}

		free()
		if err := st.Tx(ctx, func(tx sqlstore.Backend) error { return tx.CreateUser(ctx, user("ann@example.com")) }); err != nil {
			t.Fatalf("after the room is back: %v", err)
		}
		if _, after := w.counts(); after != before+1 {
			t.Fatalf("the committed write was not reported (%d → %d)", before, after)
		}
	})
}

func TestTheProbeWritesAndIsReported(t *testing.T) {
	backends(t, func(t *testing.T, st *sqlstore.Store) {
		w := &watcher{}
		st.Watch(w)
		if err := st.Probe(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, n := w.counts(); n != 1 {
			t.Fatalf("a successful probe reported %d writes", n)
		}
		free := storetest.FillDisk(t, st.DB(), "settings")
		defer free()
		if err := st.Probe(context.Background()); core.KindOf(err) != core.KindUnavailable {
			t.Fatalf("probe on a full disk: %v", err)
		}
		if failed, _ := w.counts(); len(failed) != 1 || failed[0] != "disk_full" {
			t.Fatalf("reported %v", failed)
		}
	})
}

func ignoreNotFound(err error) error {
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	return err
}
