package migrations

import (
	"context"
	"database/sql"
	"fmt"
)

// Pending lists the migrations of dialect that db has not applied, in
// order: the schema is current for this binary when there are none. A
// database migrated further by a newer release (a rolling upgrade) has
// versions this binary does not know; they do not count, so the older
// nodes stay ready while the newer ones start.
func Pending(ctx context.Context, db *sql.DB, dialect string) ([]string, error) {
	versions, err := Versions(dialect)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: connect: %w", err)
	}
	defer conn.Close()
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, v := range versions {
		if !done[v] {
			pending = append(pending, v)
		}
	}
	return pending, nil
}
