package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// FillDisk makes every insert into tables fail the way a full disk makes
// it fail, with the real error of the real database, and returns the
// function that frees the room again.
//
// SQLite: the database may not grow past its current size (PRAGMA
// max_page_count, a setting of each connection, so the pool is held to the
// one connection that has it), and a trigger makes each insert into tables
// ask for 4 MiB more, so that SQLite itself fails the statement with
// SQLITE_FULL whatever room the table's pages still have.
// PostgreSQL: a trigger raises SQLSTATE 53100 (disk_full), the error a
// server that cannot extend a file returns, from the server itself.
func FillDisk(t testing.TB, db *sql.DB, tables ...string) (free func()) {
	t.Helper()
	ctx := context.Background()
	if isPostgres(db) {
		mustExec(t, db, `CREATE FUNCTION disk_fill() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`)
		for _, tb := range tables {
			mustExec(t, db, `CREATE TRIGGER disk_fill BEFORE INSERT ON `+tb+` FOR EACH ROW EXECUTE FUNCTION disk_fill()`)
		}
		return func() { mustExec(t, db, `DROP FUNCTION disk_fill() CASCADE`) }
	}
	for _, q := range append([]string{`CREATE TABLE disk_fill (b BLOB)`}, sqliteTriggers(tables)...) {
		mustExec(t, db, q)
	}
	var pages int64
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatalf("FillDisk: %v", err)
	}
	maxOpen := db.Stats().MaxOpenConnections
	db.SetMaxOpenConns(1) // connections beyond it close as they come back
	// Until the one connection left is the one with the limit: a connection
	// busy elsewhere (the statement cache prepares in the background) is
	// waited for, and the one released before it closes.
	for {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("FillDisk: %v", err)
		}
		mustExec(t, conn, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages))
		n := db.Stats().OpenConnections
		conn.Close()
		if n == 1 {
			break
		}
	}
	return func() {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("FillDisk: free: %v", err)
		}
		mustExec(t, conn, `PRAGMA max_page_count = 4294967294`)
		conn.Close()
		db.SetMaxOpenConns(maxOpen)
		for _, tb := range tables {
			mustExec(t, db, `DROP TRIGGER disk_fill_`+tb)
		}
		mustExec(t, db, `DROP TABLE disk_fill`)
	}
}

func mustExec(t testing.TB, db interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}, q string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("FillDisk: %s: %v", q, err)
	}
}

func sqliteTriggers(tables []string) []string {
	var out []string
	for _, tb := range tables {
		out = append(out, `CREATE TRIGGER disk_fill_`+tb+` AFTER INSERT ON `+tb+` BEGIN
			INSERT INTO disk_fill VALUES (zeroblob(4194304)); END`)
	}
	return out
}

// isPostgres tells the dialect of db by its driver.
func isPostgres(db *sql.DB) bool {
	return strings.Contains(fmt.Sprintf("%T", db.Driver()), "stdlib")
}
