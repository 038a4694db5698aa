// Package sqlstore implements every domain's storage port (Backend) once,
// over database/sql, for both SQLite (modernc.org/sqlite) and PostgreSQL
// (pgx). The SQL is written to be portable: both drivers accept $1 placeholders, RETURNING and ON CONFLICT.
// What differs lives in a small Dialect value that store/sqlite and
// store/postgres supply.
//
// Times are stored as BIGINT unix microseconds UTC in both dialects. SQLite
// has no time type (drivers disagree on text formats, which then compare as
// strings), and PostgreSQL's timestamptz also has microsecond precision; an
// integer compares, indexes and round-trips identically everywhere, with no
// time-zone or format surprises. Go times are truncated to the microsecond.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Violation classifies a constraint error.
type Violation int

const (
	NoViolation Violation = iota
	UniqueViolation
	ForeignKeyViolation
)

// Dialect is what differs between the SQL backends.
type Dialect struct {
	Name string // "sqlite" or "postgres", also the migrations directory
	// Violation reports which constraint, if any, err violated.
	Violation func(err error) Violation
	// Retryable reports whether a transaction that failed with err may
	// simply be run again (PostgreSQL serialization failures and
	// deadlocks, SQLite busy).
	Retryable func(err error) bool
	// ForUpdate is appended to the SELECT of a read-modify-write, to lock
	// the row (" FOR UPDATE"); empty where transactions already serialise
	// writers (SQLite's BEGIN IMMEDIATE).
	ForUpdate string
	// WritableCTE: the database runs data-modifying statements in WITH
	// (PostgreSQL), so that a change of several tables is one statement and
	// one round trip; SQLite does not.
	WritableCTE bool
	// JSONAgg is the aggregate that collects a column into one JSON array
	// ("json_agg", "json_group_array"), so that a user's roles come back
	// with the user's row instead of in a second statement.
	JSONAgg string
	// SkipLocked is appended to the outbox claim's inner SELECT so that
	// workers take disjoint batches without waiting on each other.
	SkipLocked string
	// SyncUserIDs, when set, runs after a user is inserted with an explicit
	// id, so that generated ids continue above it.
	SyncUserIDs string
	// CacheStatements keeps prepared statements per query (see stmtCache),
	// for drivers that parse every query anew.
	CacheStatements bool
	// Fault names the class of a failure of the database's own resources
	// ("disk_full", "insufficient_resources"), "" for any other error
	// (faults.go).
	Fault func(err error) string
	// SerialWrites queues this process's writing transactions (and writes
	// outside one) in Go before they ask the database for its write
	// lock. SQLite has one writer; a second one finding the lock taken
	// sleeps in the busy handler for 1, 2, 5, 10… ms and retries, which
	// put tens of milliseconds on refreshes under load. The queue wakes the
	// next writer the moment the lock is free (BENCHMARKS.md). Other
	// processes on the same file still meet the busy timeout.
	SerialWrites bool
}

// txAttempts bounds the retries of a transaction that hit a retryable error.
const txAttempts = 5

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is Backend over a *sql.DB, or bound to one *sql.Tx inside Tx.
type Store struct {
	db    *sql.DB
	q     watched
	tx    *sql.Tx // nil outside a transaction
	d     Dialect
	sc    *stmtCache  // nil unless d.CacheStatements
	wm    *writeGate  // nil unless d.SerialWrites; shared with bound stores
	watch *watchState // shared with bound stores (faults.go)
	// migrated lists the migrations applied when the store was opened
	// (stats.go).
	migrated []string
}

// New returns a Store over db, whose schema must be migrated
// (migrations.Migrate). The Store owns db: Close closes it.
func New(db *sql.DB, d Dialect) *Store {
	s := &Store{db: db, d: d, watch: &watchState{}}
	var q querier = db
	if d.CacheStatements {
		s.sc = newStmtCache(db)
		q = cachedQuerier{q: db, cache: s.sc}
	}
	if d.SerialWrites {
		s.wm = newWriteGate()
		q = serialExec{querier: q, gate: s.wm}
	}
	s.q = watched{querier: textGuard{q}, class: d.Fault, watch: s.watch}
	return s
}

// DB returns the underlying pool, for packages that keep tables of their own.
func (s *Store) DB() *sql.DB { return s.db }

// DialectName names the backend: "sqlite" or "postgres" (the migrations
// of that dialect).
func (s *Store) DialectName() string { return s.d.Name }

// Tx runs fn in a transaction, retrying the whole of fn a few times when
// the backend reports a retryable conflict. Inside a transaction it simply
// calls fn with the bound store.
func (s *Store) Tx(ctx context.Context, fn func(Backend) error) error {
	if s.tx != nil {
		return fn(s)
	}
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, fn)
		if err == nil || attempt == txAttempts || s.d.Retryable == nil || !s.d.Retryable(err) {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

func (s *Store) runTx(ctx context.Context, fn func(Backend) error) error {
	if s.wm != nil {
		defer s.wm.enter(ctx)()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("Tx: begin: %w", s.q.fault(err))
	}
	bound := &Store{db: s.db, tx: tx, d: s.d, sc: s.sc, wm: s.wm, watch: s.watch}
	var q querier = tx
	if s.sc != nil {
		q = cachedQuerier{q: tx, tx: tx, cache: s.sc}
	}
	writes := &txWrites{}
	bound.q = watched{querier: textGuard{q}, class: s.d.Fault, watch: s.watch, tx: writes}
	// Roll back on every way out but a commit: an error, a panic, and
	// runtime.Goexit (t.Fatal inside fn), which recover does not see.
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(bound); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("Tx: commit: %w", s.q.fault(err))
	}
	committed = true
	if writes.inserted {
		s.q.succeeded()
	}
	return nil
}

// writeGate queues writers (Dialect.SerialWrites). A writer waits at most
// gateWait for its turn and then goes ahead without it, so that a caller
// that somehow writes outside its own open transaction meets the
// database's busy timeout, as it would without the gate, instead of
// waiting for ever on itself.
type writeGate struct{ turn chan struct{} }

const gateWait = 10 * time.Second // the SQLite busy timeout

func newWriteGate() *writeGate { return &writeGate{turn: make(chan struct{}, 1)} }

// enter waits for the turn and returns the function that gives it back.
func (g *writeGate) enter(ctx context.Context) (leave func()) {
	t := time.NewTimer(gateWait)
	defer t.Stop()
	select {
	case g.turn <- struct{}{}:
		return func() { <-g.turn }
	case <-t.C:
	case <-ctx.Done():
	}
	return func() {}
}

// serialExec takes the write turn around writes made outside a
// transaction (ExecContext). Reads pass straight through: under WAL they
// never wait for the writer.
type serialExec struct {
	querier
	gate *writeGate
}

func (x serialExec) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	defer x.gate.enter(ctx)()
	return x.querier.ExecContext(ctx, q, args...)
}

// backoff waits a little, growing and jittered, so that the transactions
// that collided do not collide again in lockstep.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt) * time.Millisecond * time.Duration(1+rand.IntN(5))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("Ping: %w", err)
	}
	return nil
}

// Close closes the pool. It is an error inside a transaction.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("Close: called inside a transaction")
	}
	if s.sc != nil {
		s.sc.close()
	}
	return s.db.Close()
}

// violation classifies err with the dialect.
func (s *Store) violation(err error) Violation {
	if err == nil || s.d.Violation == nil {
		return NoViolation
	}
	return s.d.Violation(err)
}

// mustAffect turns "no row affected" into ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return core.ErrNotFound
	}
	return nil
}

// notFound maps sql.ErrNoRows to core.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return core.ErrNotFound
	}
	return err
}

// Time conversions: see the package comment for why microseconds.

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}
