package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps one prepared statement per query text, for drivers that
// do not cache them themselves (modernc.org/sqlite parses every query
// anew: a quarter of the CPU of an authenticated read went to SQLite's
// parser before this cache; BENCHMARKS.md). pgx caches on its own, so
// PostgreSQL leaves Dialect.CacheStatements off.
//
// Statements are prepared on the pool, never on a transaction's
// connection: a query first met inside a transaction runs unprepared and
// is prepared in the background, so that a transaction never waits for a
// second connection (with SQLite's one in-memory connection it would wait
// for ever).
type stmtCache struct {
	db *sql.DB

	mu        sync.RWMutex
	stmts     map[string]*sql.Stmt
	preparing map[string]bool
	closed    bool           // Close has begun: no more background work
	bg        sync.WaitGroup // background preparations under way
}

// stmtCacheMax bounds the cache: queries are constants of this package
// except a few built with a variable number of placeholders, which stop
// being cached once it is full.
const stmtCacheMax = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, preparing: map[string]bool{}}
}

// get returns the prepared statement of q, preparing it now (outside a
// transaction) or in the background (inside one, then returning nil).
func (c *stmtCache) get(ctx context.Context, q string, inTx bool) *sql.Stmt {
	c.mu.RLock()
	st, full := c.stmts[q], len(c.stmts) >= stmtCacheMax
	c.mu.RUnlock()
	if st != nil || full {
		return st
	}
	if inTx {
		c.mu.Lock()
		start := !c.preparing[q] && !c.closed
		if start {
			c.preparing[q] = true
			c.bg.Add(1)
		}
		c.mu.Unlock()
		if start {
			go func() {
				defer c.bg.Done()
				c.prepare(context.WithoutCancel(ctx), q)
			}()
		}
		return nil
	}
	return c.prepare(ctx, q)
}

func (c *stmtCache) prepare(ctx context.Context, q string) *sql.Stmt {
	st, err := c.db.PrepareContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, q)
	if err != nil {
		return nil // the query then runs unprepared and reports its own error
	}
	if old := c.stmts[q]; old != nil {
		st.Close()
		return old
	}
	c.stmts[q] = st
	return st
}

// close stops background preparation and waits for what is under way, so
// that no connection is opened after the store is closed (with SQLite a
// late connection would create the database's files again, under a
// directory being removed).
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.bg.Wait()
}

// cachedQuerier is a querier (the pool or a transaction) that runs queries
// through the cache.
type cachedQuerier struct {
	q     querier
	tx    *sql.Tx // nil on the pool
	cache *stmtCache
}

func (x cachedQuerier) stmt(ctx context.Context, q string) *sql.Stmt {
	st := x.cache.get(ctx, q, x.tx != nil)
	if st != nil && x.tx != nil {
		// Reuses the statement already prepared on the transaction's
		// connection, or prepares it there once for good.
		st = x.tx.StmtContext(ctx, st)
	}
	return st
}

func (x cachedQuerier) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := x.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return x.q.ExecContext(ctx, q, args...)
}

func (x cachedQuerier) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := x.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return x.q.QueryContext(ctx, q, args...)
}

func (x cachedQuerier) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := x.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return x.q.QueryRowContext(ctx, q, args...)
}
