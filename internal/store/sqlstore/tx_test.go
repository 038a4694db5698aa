package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var errConflict = errors.New("test: serialization failure")

// newStore returns an in-memory store whose dialect calls errConflict retryable.
func newStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenDB(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Migrate(ctx, db, migrations.SQLite); err != nil {
		t.Fatal(err)
	}
	d := sqlite.Dialect()
	d.Retryable = func(err error) bool { return errors.Is(err, errConflict) }
	st := sqlstore.New(db, d)
	t.Cleanup(func() { st.Close() })
	return st
}

func TestTxRetriesTheWholeClosureOnARetryableError(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	calls := 0
	err := st.Tx(ctx, func(tx sqlstore.Backend) error {
		calls++
		u := identity.User{Email: "ann@x.test"}
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		if calls < 3 {
			return errConflict // rolled back, so the next run can insert again
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Tx = %v after %d calls, want success on the third", err, calls)
	}
	if _, total, err := st.ListUsers(ctx, identity.UserFilter{}); err != nil || total != 1 {
		t.Fatalf("users after retries: %d (%v), want 1", total, err)
	}
}

func TestTxGivesUpAfterAFewAttempts(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	calls := 0
	err := st.Tx(ctx, func(sqlstore.Backend) error { calls++; return errConflict })
	if !errors.Is(err, errConflict) || calls < 2 || calls > 10 {
		t.Fatalf("Tx = %v after %d calls, want errConflict after a few attempts", err, calls)
	}
}

func TestTxDoesNotRetryOtherErrors(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	calls := 0
	err := st.Tx(ctx, func(sqlstore.Backend) error { calls++; return core.ErrForbidden })
	if !errors.Is(err, core.ErrForbidden) || calls != 1 {
		t.Fatalf("Tx = %v after %d calls, want ErrForbidden after one", err, calls)
	}
}
