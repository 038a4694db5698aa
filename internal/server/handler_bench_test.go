package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The two hot paths through the whole HTTP handler (every middleware, the
// door, the core, SQLite), without the network: what the per-request
// middleware (request ids, the access log, metrics) costs shows here
// undiluted. BENCHMARKS.md compares them across commits.

func benchUser(b *testing.B, db ...testenv.Backend) (*testenv.Env, pair) {
	backend := testenv.SQLite
	if len(db) > 0 {
		backend = db[0]
	}
	e := newEnv(b, backend, nil)
	if r := e.Do("POST", "/admin/v1/users", map[string]any{"email": "bench@example.com", "password": "bench password 1", "email_confirmed": true}, bearer(adminToken)...); r.Status != 201 {
		b.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var p pair
	loginAs(e, "bench@example.com", "bench password 1").JSON(b, &p)
	return e, p
}

func BenchmarkHandlerProfile(b *testing.B) {
	e, p := benchUser(b)
	h := e.Srv.Handler()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/v1/user/profile", nil)
		req.Header.Set("Authorization", "Bearer "+p.AccessToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("profile: %d %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkHandlerRefresh(b *testing.B) {
	e, p := benchUser(b)
	h := e.Srv.Handler()
	token := p.RefreshToken
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/auth/refresh", strings.NewReader(`{"token":"`+token+`"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var next pair
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &next) != nil {
			b.Fatalf("refresh: %d %s", rec.Code, rec.Body)
		}
		token = next.RefreshToken
	}
}

// BenchmarkHandlerStatus is GET /status through every middleware: the
// per-request cost that a handler touching nothing does not pay (issue 13
// in BENCHMARKS.md compares the two over HTTP).
func BenchmarkHandlerStatus(b *testing.B) {
	e := newEnv(b, testenv.SQLite, nil)
	h := e.Srv.Handler()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/status", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkStatusAgainstBare is issue 13's item 6 in process: GET /status
// through every middleware beside a handler that touches nothing (the
// bound the load tool's noop serves over HTTP), in one run so that their
// ratio is of one machine state.
func BenchmarkStatusAgainstBare(b *testing.B) {
	e := newEnv(b, testenv.SQLite, nil)
	body := []byte(`{"status":"ok","version":"dev","commit":"none"}` + "\n")
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"status", e.Srv.Handler()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/status", nil)
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkHandlerLogin is a platform and a cashdesk sign-in through the
// whole handler on both databases with the tests' cheap hasher (64 KiB,
// one pass): everything a sign-in costs but the argon2id hash, issue 13's
// item 2 (BENCHMARKS.md quotes its profile).
func BenchmarkHandlerLogin(b *testing.B) {
	for _, db := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		e, _ := benchUser(b, db)
		h := e.Srv.Handler()
		for _, c := range []struct{ name, path, body string }{
			{"platform", "/v1/auth/login", `{"username":"bench@example.com","password":"bench password 1"}`},
			{"cashdesk", "/api/v2/authenticate", `{"email":"bench@example.com","password":"bench password 1"}`},
		} {
			b.Run(string(db)+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				defer reportCPU(b)()
				for b.Loop() {
					req := httptest.NewRequest("POST", c.path, strings.NewReader(c.body))
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("%s: %d %s", c.path, rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

// reportCPU reports the process's CPU time (user and system, every
// goroutine: the collector's and SQLite's included, a PostgreSQL server's
// not) per operation as cpu-ns/op: on a machine whose other work takes the
// cores, a less noisy figure than the wall time of ns/op. Call the
// returned function when the loop ends.
func reportCPU(b *testing.B) func() {
	start := processCPU(b)
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheapHash is one verification with the tests' cheap hasher
// (64 KiB, one pass), the part of BenchmarkHandlerLogin's CPU that is the
// hash.
func BenchmarkCheapHash(b *testing.B) {
	h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	stored, err := h.Hash(context.Background(), "bench password 1")
	if err != nil {
		b.Fatal(err)
	}
	defer reportCPU(b)()
	for b.Loop() {
		if ok, _, err := h.Verify(context.Background(), stored, "bench password 1"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
