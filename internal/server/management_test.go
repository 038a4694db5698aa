package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// get fetches url on a connection of its own.
func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// readyz is the management listener's /readyz.
func readyz(t *testing.T, e *testenv.Env) (int, http.Header, map[string]any) {
	t.Helper()
	code, hdr, body := get(t, e.ManagementURL+"/readyz")
	m := map[string]any{}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("/readyz %d: %q is not JSON", code, body)
	}
	return code, hdr, m
}

func wantReady(t *testing.T, e *testenv.Env, checks map[string]string) {
	t.Helper()
	code, _, body := readyz(t, e)
	if code != 200 || body["status"] != "ready" || !sameChecks(body["checks"], checks) {
		t.Fatalf("/readyz: %d %v, want 200 ready %v", code, body, checks)
	}
}

func wantNotReady(t *testing.T, e *testenv.Env, status string, checks map[string]string) {
	t.Helper()
	code, hdr, body := readyz(t, e)
	if code != 503 || hdr.Get("Retry-After") == "" || body["status"] != status || !sameChecks(body["checks"], checks) {
		t.Fatalf("/readyz: %d (Retry-After %q) %v, want 503 %s %v", code, hdr.Get("Retry-After"), body, status, checks)
	}
}

func sameChecks(got any, want map[string]string) bool {
	m, ok := got.(map[string]any)
	if !ok || len(m) != len(want) {
		return false
	}
	for k, v := range want {
		if m[k] != v {
			return false
		}
	}
	return true
}

func TestTheManagementListenerServesHealthReadinessAndMetricsAndThePublicOneNone(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		if code, _, body := get(t, e.ManagementURL+"/healthz"); code != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
			t.Fatalf("/healthz: %d %s", code, body)
		}
		wantReady(t, e, map[string]string{"database": "ok", "migrations": "ok"})
		if code, hdr, body := get(t, e.ManagementURL+"/metrics"); code != 200 ||
			!strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") || !strings.Contains(body, "gatehouse_build_info{") {
			t.Fatalf("/metrics: %d %s %.200s", code, hdr.Get("Content-Type"), body)
		}
		for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
			if r := e.DoRaw("GET", path, nil); r.Status != 404 {
				t.Errorf("public %s: %d %s, want 404", path, r.Status, r.Body)
			}
		}
	})
}

// schemaDB opens the test server's database on a connection of the test.
func schemaDB(t *testing.T, e *testenv.Env, b testenv.Backend) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if b == testenv.Postgres {
		db, err = postgres.OpenDB(t.Context(), e.Config.DatabaseURL)
	} else {
		db, err = sqlite.OpenDB(t.Context(), e.Config.SQLitePath())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A node whose database lacks a migration it needs (restored from an
// older backup, say) is not ready; one migrated further by a newer
// release (a rolling upgrade) still is.
func TestReadinessWantsTheMigrationsThisBinaryNeedsAndNoMore(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		db := schemaDB(t, e, b)
		var last string
		if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`DELETE FROM schema_migrations WHERE version = $1`, last)
		e.Srv.Health.Refresh(t.Context())
		wantNotReady(t, e, "not_ready", map[string]string{"database": "ok", "migrations": "behind"})
		if r := e.Do("GET", "/status", nil); r.Status != 503 || r.Map(t)["checks"].(map[string]any)["migrations"] != "behind" {
			t.Fatalf("/status with the schema behind: %d %s", r.Status, r.Body)
		}

		exec(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0), ('9999_of_a_newer_release', 0)`, last)
		e.Srv.Health.Refresh(t.Context())
		wantReady(t, e, map[string]string{"database": "ok", "migrations": "ok"})
	})
}

func TestReadinessNamesRedisWhenItDoesNotAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.RedisURL = "redis://" + closed + "/0" })
	e.Srv.Health.Refresh(t.Context())
	wantNotReady(t, e, "not_ready", map[string]string{"database": "ok", "migrations": "ok", "redis": "unreachable"})
}

func TestReadinessCountsRedisWhenItAnswers(t *testing.T) {
	prefix := redisOrSkip(t)
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.RedisURL, c.RedisPrefix = "redis://127.0.0.1:6379/0", prefix })
	e.Srv.Health.Refresh(t.Context())
	wantReady(t, e, map[string]string{"database": "ok", "migrations": "ok", "redis": "ok"})
}

// From SIGTERM on, /readyz answers 503 "stopping" while the node still
// serves (the shutdown delay) so that balancers stop routing to it;
// /healthz still answers 200: the process is alive and must not be
// restarted for stopping.
func TestReadinessTurns503WhenShutdownBeginsWhileLivenessStaysOK(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		logs := newLogWatch()
		e := newEnv(t, b, func(c *config.Config) { c.ShutdownDelay = 2 * time.Second }, func(o *testenv.Options) {
			o.Unstarted, o.Log = true, logs
		})
		stop, done := served(e)
		logs.wait(t, "management listening")
		wantReady(t, e, map[string]string{"database": "ok", "migrations": "ok"})
		stop()
		logs.wait(t, "gatehouse stopping")
		wantNotReady(t, e, "stopping", map[string]string{"database": "ok", "migrations": "ok", "server": "stopping"})
		if code, _, body := get(t, e.ManagementURL+"/healthz"); code != 200 {
			t.Fatalf("/healthz during the shutdown delay: %d %s", code, body)
		}
		if r := e.Do("GET", "/status", nil); r.Status != 503 { // the public listener still serves
			t.Fatalf("/status during the shutdown delay: %d", r.Status)
		}
		if err := <-done; err != nil {
			t.Fatalf("Serve: %v", err)
		}
	})
}

// Run binds both listeners before it says so: the addresses in the
// "listening" lines answer at once. Tests give both 127.0.0.1:0.
func TestRunLogsEachListenerOnlyOnceItIsBound(t *testing.T) {
	logs := newLogWatch()
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		c.Addr, c.ManagementAddr, c.ShutdownDelay = "127.0.0.1:0", "127.0.0.1:0", 0
	}, func(o *testenv.Options) { o.Unstarted, o.Log = true, logs })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Srv.Run(ctx) }()
	logs.wait(t, "management listening")
	public, mgmt := loggedAddr(t, logs.String(), "gatehouse listening"), loggedAddr(t, logs.String(), "management listening")
	if code, _, _ := get(t, "http://"+public+"/status"); code != 200 {
		t.Fatalf("public listener at %s: %d", public, code)
	}
	if code, _, _ := get(t, "http://"+mgmt+"/healthz"); code != 200 {
		t.Fatalf("management listener at %s: %d", mgmt, code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	logs.wait(t, "gatehouse stopped")
}

func loggedAddr(t *testing.T, log, msg string) string {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="`+msg+`"`) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if a, ok := strings.CutPrefix(f, "addr="); ok && !strings.HasSuffix(a, ":0") {
				return a
			}
		}
	}
	t.Fatalf("no bound addr in a %q line:\n%s", msg, log)
	return ""
}

func TestATakenManagementPortStopsTheStartNamingTheSetting(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.Addr, c.ManagementAddr = "127.0.0.1:0", taken.Addr().String() },
		func(o *testenv.Options) { o.Unstarted = true })
	err = e.Srv.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MANAGEMENT_ADDR") || !strings.Contains(err.Error(), taken.Addr().String()) {
		t.Fatalf("Run with the management port taken: %v", err)
	}
}

// The start says which migrations it applied, or that the schema was
// current: the operator's record of when the schema changed.
func TestTheStartLogSaysWhichMigrationsRan(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		var first, second lockedBuffer
		e := newEnv(t, b, nil, func(o *testenv.Options) { o.Log = &first })
		dialect := migrations.SQLite
		if b == testenv.Postgres {
			dialect = migrations.Postgres
		}
		versions, _ := migrations.Versions(dialect)
		all := strings.Join(versions, ",")
		if lines := linesWith(first.String(), `msg="database migrated"`, "applied="+all); len(lines) != 1 {
			t.Fatalf("the first start's log, want one line naming %s:\n%s", all, first.String())
		}
		newEnv(t, b, func(c *config.Config) { c.DatabaseURL, c.MasterKey = e.Config.DatabaseURL, e.Config.MasterKey },
			func(o *testenv.Options) { o.Log = &second })
		last := versions[len(versions)-1]
		if lines := linesWith(second.String(), `msg="database schema is current"`, "version="+last); len(lines) != 1 ||
			strings.Contains(second.String(), "database migrated") {
			t.Fatalf("a second start on the same database:\n%s", second.String())
		}
	})
}
