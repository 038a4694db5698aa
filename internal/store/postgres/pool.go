package postgres

import (
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// DefaultPoolSize is a node's connections unless the URL's pool_max_conns
// says otherwise: enough for a node's concurrent requests without
// exhausting PostgreSQL's default max_connections (100) across a few nodes.
const DefaultPoolSize = 20

// maxPoolSize bounds pool_max_conns: PostgreSQL forks a process per
// connection, and a typo should not open thousands.
const maxPoolSize = 1000

// keepWarm sizes db's pool to size connections and keeps every one it opens:
// as many may stay idle as may be open. A pool that kept fewer idle than
// open (10 of 20) closed the surplus after every burst past ten and opened
// it again for the next — a new PostgreSQL process, its authentication and
// pgx's prepared statements each time (BENCHMARKS.md: 1 226 new
// connections in 15 s at 16 clients). Connections are still recycled: an
// hour after they were opened (so a failover or a changed setting reaches
// every one), and after ten idle minutes (a quiet node hands its backends
// back; the next burst pays the handshake once).
func keepWarm(db *sql.DB, size int) {
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxIdleTime(10 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
}

// poolSize takes the pool_max_conns parameter (the name pgx's own pool
// reads) out of a postgres:// URL — PostgreSQL would refuse it as an
// unknown setting — and returns the URL without it and the size, by default
// DefaultPoolSize. Errors name the parameter, never the URL (it may carry
// a password); a URL net/url cannot read is left for pgx to judge.
func poolSize(raw string) (string, int, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.Query().Has("pool_max_conns") {
		return raw, DefaultPoolSize, nil
	}
	q := u.Query()
	v := q.Get("pool_max_conns")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPoolSize {
		return "", 0, fmt.Errorf("postgres: pool_max_conns=%q in the database URL: want a whole number from 1 to %d", v, maxPoolSize)
	}
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}
