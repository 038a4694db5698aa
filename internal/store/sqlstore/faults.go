package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Faults of the database itself (a full disk, exhausted resources) are
// recognised here, where every statement's error is born, instead of in
// each of the store's methods: the error becomes core.ErrStorageExhausted
// (503 + Retry-After on every door, not an untyped 500), and the Watcher
// (the server's health state) learns the class of the fault and, later,
// that a write committed again.

// Watcher learns of the store's writes. The server's health state is one.
type Watcher interface {
	// WriteFailed: a statement failed for lack of room or resources;
	// class is the Dialect's name for it ("disk_full", …).
	WriteFailed(class string)
	// WriteSucceeded: a transaction that inserted rows committed, or an
	// insert outside a transaction succeeded (see inserts).
	WriteSucceeded()
}

// Watch makes w hear of every fault and successful write. Call it once,
// before the store is shared.
func (s *Store) Watch(w Watcher) { s.watch.w = w }

// watchState is shared by a Store and the stores bound to its transactions.
type watchState struct{ w Watcher }

// watched is the querier every method of the store uses: the pool, or a
// transaction, behind the statement cache and the write gate.
type watched struct {
	querier
	class func(error) string // Dialect.Fault
	watch *watchState
	tx    *txWrites // nil outside a transaction
}

// txWrites remembers whether a transaction inserted anything, so that only
// the commit of an insert counts as a successful write.
type txWrites struct{ inserted bool }

func (q watched) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := q.querier.ExecContext(ctx, query, args...)
	return res, q.observe(err, query)
}

func (q watched) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.querier.QueryContext(ctx, query, args...)
	return rows, q.observe(err, query)
}

// QueryRowContext returns a row whose Scan error is observed like the
// others' (a *sql.Row reports its statement's error only there).
func (q watched) QueryRowContext(ctx context.Context, query string, args ...any) row {
	return row{r: q.querier.QueryRowContext(ctx, query, args...), q: q, query: query}
}

type row struct {
	r     *sql.Row
	q     watched
	query string
}

func (r row) Scan(dest ...any) error { return r.q.observe(r.r.Scan(dest...), r.query) }

// observe classifies err, reports faults and writes, and returns err as the
// core's error when it is a fault of the database's resources.
func (q watched) observe(err error, query string) error {
	if err == nil {
		if inserts(query) {
			if q.tx != nil {
				q.tx.inserted = true
			} else {
				q.succeeded()
			}
		}
		return nil
	}
	return q.fault(err)
}

// fault maps a resource fault to core.ErrStorageExhausted and reports it,
// and a lost or refused connection to core.ErrUnavailable: the callers
// (and the doors' error tables) never see a driver's error types.
func (q watched) fault(err error) error {
	if lostConnection(err) {
		return core.ErrUnavailable.With(err)
	}
	if q.class == nil {
		return err
	}
	class := q.class(err)
	if class == "" {
		return err
	}
	if q.watch.w != nil {
		q.watch.w.WriteFailed(class)
	}
	return core.ErrStorageExhausted.With(err)
}

func (q watched) succeeded() {
	if q.watch.w != nil {
		q.watch.w.WriteSucceeded()
	}
}

// inserts reports whether a statement adds rows. Only an insert proves
// that the database has room again: updates in place and deletes succeed
// on a full disk too (the outbox's claim, the purge), and would clear the
// fault while every sign-up still fails. Every insert of the store starts
// with the word, or is a WITH statement one of whose parts inserts.
func inserts(query string) bool {
	query = strings.TrimLeft(query, " \t\r\n")
	if len(query) >= 4 && strings.EqualFold(query[:4], "WITH") { // data-modifying WITH (Dialect.WritableCTE)
		return strings.Contains(query, "INSERT INTO")
	}
	return len(query) >= 6 && strings.EqualFold(query[:6], "INSERT")
}

// probeKey is the settings row the health probe rewrites.
const probeKey = "health.probe"

// Probe writes a row and commits, to learn whether the database accepts
// writes (the health state runs it while a write fault is outstanding);
// the outcome reaches the Watcher as every write's does. It deletes the
// previous probe row and inserts a new one, so that it needs room as real
// writes do (an update in place might not).
func (s *Store) Probe(ctx context.Context) error {
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		if _, err := ts.q.ExecContext(ctx, `DELETE FROM settings WHERE key = $1`, probeKey); err != nil {
			return err
		}
		_, err := ts.q.ExecContext(ctx, `INSERT INTO settings (key, value, created_at) VALUES ($1, '', 0)`, probeKey)
		return err
	})
}

// lostConnection reports an error of the way to the database rather than
// of the statement: a connection refused, reset, cut or already closed
// (the transaction it carried rolled back), which a retry may get past.
func lostConnection(err error) bool {
	var ne net.Error
	var retry interface{ SafeToRetry() bool } // pgconn: the query never reached the server
	switch {
	case errors.As(err, &ne), errors.As(err, &retry) && retry.SafeToRetry():
		return true
	}
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
