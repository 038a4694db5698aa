package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// logWatch is the server's log, with a way to wait for a line.
type logWatch struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newLogWatch() *logWatch { return &logWatch{changed: make(chan struct{})} }

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

// wait blocks until the log holds a line with msg="…text…".
func (l *logWatch) wait(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		l.mu.Lock()
		found, changed := strings.Contains(l.b.String(), `msg="`+text), l.changed
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the log never said %q:\n%s", text, l.String())
		}
	}
}

func (l *logWatch) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// enteringStore tells, once armed, when a request opens a transaction.
type enteringStore struct {
	sqlstore.Backend
	armed   chan struct{} // closed to arm
	entered chan struct{} // receives once
}

// enter tells, once armed, that a write has begun (once).
func (s enteringStore) enter() {
	select {
	case <-s.armed:
		select {
		case s.entered <- struct{}{}:
		default:
		}
	default:
	}
}

func (s enteringStore) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	s.enter()
	return s.Backend.Tx(ctx, fn)
}

// OpenSession is a sign-in's one write, outside any transaction of the
// caller's: it tells, once armed, as Tx does.
func (s enteringStore) OpenSession(ctx context.Context, o *identity.SessionOpening) (bool, error) {
	s.enter()
	return s.Backend.OpenSession(ctx, o)
}

// holdWrites takes the database's write lock from a connection of the
// test, so that a sign-in's transaction waits for it: SQLite's one writer
// lock (BEGIN IMMEDIATE), or a PostgreSQL lock on the sessions table.
func holdWrites(t *testing.T, e *testenv.Env, b testenv.Backend) (release func()) {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	var err error
	if b == testenv.Postgres {
		db, err = postgres.OpenDB(ctx, e.Config.DatabaseURL)
	} else {
		db, err = sqlite.OpenDB(ctx, e.Config.SQLitePath())
	}
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil) // SQLite: BEGIN IMMEDIATE, the write lock
	if err != nil {
		t.Fatal(err)
	}
	if b == testenv.Postgres {
		if _, err := tx.Exec(`LOCK TABLE sessions IN EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback(); db.Close() }) }
	t.Cleanup(release)
	return release
}

// served runs the environment's server until the returned stop is called;
// the channel receives what Serve returned.
func served(e *testenv.Env) (stop func(), done <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- e.Srv.ServeManaged(ctx, e.Listener, e.ManagementListener) }()
	return cancel, ch
}

type answer struct {
	status int
	header http.Header
	body   string
	err    error
}

// loginAsync signs in on a connection of its own and delivers the answer.
func loginAsync(e *testenv.Env, email, password string) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		res, err := (&http.Client{}).Post(e.URL+"/v1/auth/login", "application/json",
			strings.NewReader(`{"username":"`+email+`","password":"`+password+`"}`))
		if err != nil {
			ch <- answer{err: err}
			return
		}
		defer res.Body.Close()
		var b bytes.Buffer
		_, err = b.ReadFrom(res.Body)
		ch <- answer{status: res.StatusCode, header: res.Header, body: b.String(), err: err}
	}()
	return ch
}

func stallingEnv(t *testing.T, b testenv.Backend, edit func(*config.Config)) (*testenv.Env, *logWatch, enteringStore) {
	logs := newLogWatch()
	st := enteringStore{armed: make(chan struct{}), entered: make(chan struct{}, 1)}
	e := newEnv(t, b, edit, func(o *testenv.Options) {
		o.Unstarted, o.Log = true, logs
		o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { st.Backend = s; return st }
	})
	return e, logs, st
}

func TestShutdownKeepsServingThenLetsARequestStalledOnTheDatabaseFinish(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e, logs, st := stallingEnv(t, b, func(c *config.Config) { c.ShutdownDelay = 3 * time.Second })
		stop, done := served(e)
		signUp(t, e, "ann@example.com", "ann's password")

		release := holdWrites(t, e, b)
		close(st.armed)
		login := loginAsync(e, "ann@example.com", "ann's password")
		<-st.entered // the sign-in waits for the database…
		stop()       // …when SIGTERM arrives

		logs.wait(t, "gatehouse stopping")
		// The delay: still serving, and /status tells load balancers to go.
		r := e.Do("GET", "/status", nil)
		if r.Status != 503 || r.Map(t)["status"] != "stopping" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("/status during the shutdown delay: %d %s", r.Status, r.Body)
		}
		logs.wait(t, "gatehouse draining")
		release() // the database answers while the server drains

		a := <-login
		if a.err != nil || a.status != 200 || !strings.Contains(a.body, "refresh_token") {
			t.Fatalf("the stalled sign-in: %d %s %v, want its answer", a.status, a.body, a.err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Serve: %v", err)
		}
		if n := strings.Count(logs.String(), `msg="gatehouse stopped"`); n != 1 {
			t.Fatalf("%d lines say the server stopped:\n%s", n, logs)
		}
	})
}

func TestTheDrainOutlastsTheRequestDeadline(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e, logs, st := stallingEnv(t, b, func(c *config.Config) {
			c.RequestTimeout, c.ShutdownTimeout, c.ShutdownDelay = 2*time.Second, 4*time.Second, 0
		})
		stop, done := served(e)
		signUp(t, e, "bo@example.com", "bo's password")

		holdWrites(t, e, b) // held until the test ends: only the deadline ends the stall
		close(st.armed)
		login := loginAsync(e, "bo@example.com", "bo's password")
		<-st.entered
		stop()

		a := <-login
		if a.err != nil || a.status != 503 || a.header.Get("Retry-After") == "" {
			t.Fatalf("the stalled sign-in: %d %s %v, want the 503 of its deadline", a.status, a.body, a.err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Serve: %v\n%s", err, logs)
		}
	})
}
