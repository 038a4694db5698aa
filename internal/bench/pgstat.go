package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PGSessions is the number of sessions ever established to the database of
// url, PostgreSQL's own count (pg_stat_database.sessions, PostgreSQL 14
// and later). Its growth over a window is the connections opened in it,
// the reading's own included. Other clients of the same database count
// too: benchmarks use a database of their own.
func PGSessions(url string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("pg sessions: connect: %w", err)
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pg sessions: %w", err)
	}
	return n, nil
}
