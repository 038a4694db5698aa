package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// burst holds n connections of db at once, as n concurrent requests do, and
// returns the server process ids that served them.
func burst(t *testing.T, db *sql.DB, n int) map[int]bool {
	t.Helper()
	ctx := context.Background()
	pids := map[int]bool{}
	var conns []*sql.Conn
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var pid int
		if err := c.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		pids[pid] = true
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
	return pids
}

// TestThePoolKeepsWarmEveryConnectionItOpened: a burst of sixteen
// concurrent requests opens sixteen connections; afterwards all of them
// stay open, and the next burst is served by the very same ones. (A pool
// keeping 10 idle of 20 closed six after every burst and opened six anew
// for the next: 1 226 new connections in 15 s at 16 clients.)
func TestThePoolKeepsWarmEveryConnectionItOpened(t *testing.T) {
	db, err := postgres.OpenDB(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first := burst(t, db, 16)
	if s := db.Stats(); s.Idle != 16 || s.MaxIdleClosed != 0 {
		t.Fatalf("after a burst of 16: %d idle, %d closed for want of idle places; want 16 and 0", s.Idle, s.MaxIdleClosed)
	}
	second := burst(t, db, 16)
	for pid := range second {
		if !first[pid] {
			t.Fatalf("the second burst opened a new connection (backend %d); want the first burst's sixteen reused", pid)
		}
	}
	if s := db.Stats(); s.OpenConnections != 16 {
		t.Fatalf("%d connections open; want 16", s.OpenConnections)
	}
}

func TestPoolMaxConnsInTheURLSizesThePool(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.OpenDB(ctx, pgtest.URL(t)+"&pool_max_conns=4")
	if err != nil {
		t.Fatal(err) // also when the parameter reached the server as a setting
	}
	defer db.Close()
	if got := db.Stats().MaxOpenConnections; got != 4 {
		t.Fatalf("MaxOpenConnections %d; want 4", got)
	}
	burst(t, db, 4)
	if s := db.Stats(); s.Idle != 4 {
		t.Fatalf("%d idle after a burst of 4; want 4", s.Idle)
	}
	var held []*sql.Conn
	for range 4 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := db.Conn(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a fifth connection with four held: %v; want to wait (deadline exceeded)", err)
	}
}

func TestABadPoolMaxConnsIsRefusedWithoutRepeatingTheURL(t *testing.T) {
	for _, v := range []string{"0", "-3", "many", "100000"} {
		url := "postgres://gatehouse:s3cret-password@127.0.0.1:1/db?pool_max_conns=" + v
		_, err := postgres.OpenDB(context.Background(), url)
		if err == nil || !strings.Contains(err.Error(), "pool_max_conns") || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("pool_max_conns=%s: %v; want an error naming pool_max_conns, without the password", v, err)
		}
	}
}
