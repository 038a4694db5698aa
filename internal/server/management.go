package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/limit"
	"github.com/gatehouse/gatehouse/internal/metrics"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The management listener (GATEHOUSE_MANAGEMENT_ADDR): liveness,
// readiness and metrics for the operator's machines, on an address of
// their own so that none of it is on the public listener. What it shows
// (dependencies' states, traffic, the release) is for the operator only:
// SECURITY.md.

// ManagementHandler serves GET /healthz, /readyz and /metrics.
func (s *Server) ManagementHandler() http.Handler { return s.mgmt }

func (s *Server) managementRoutes() http.Handler {
	mux := http.NewServeMux()
	// Liveness: the process serves. No dependency is asked, so that an
	// orchestrator restarts a stuck process, never one whose database is
	// down (readiness takes that node out of the balancer instead).
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.Metrics.Handler())
	return jsonFallback(httpjson.Adapter{Log: s.Log}, mux)
}

// readiness is /readyz's answer: every check by name, "ok" or the word
// of its failure.
type readiness struct {
	Status string            `json:"status"` // ready, not_ready or stopping
	Checks map[string]string `json:"checks"`
}

// readyz answers from the health state, as /status does, never from a
// call of its own: 200 when the database answers, its schema has every
// migration this binary needs and Redis (when configured) answers; else
// 503 naming what failed, and 503 from the moment shutdown begins.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	rep := s.Health.Report()
	body := readiness{Status: "ready", Checks: map[string]string{}}
	for _, name := range s.Health.CheckNames() {
		body.Checks[name] = "ok"
	}
	for name, word := range rep.Checks {
		body.Checks[name] = word
	}
	w.Header().Set("Cache-Control", "no-store")
	if rep.OK() {
		httpjson.Write(w, http.StatusOK, body)
		return
	}
	body.Status = "not_ready"
	if rep.Status == health.Stopping {
		body.Status = health.Stopping
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(rep.RetryAfter.Seconds()))))
	httpjson.Write(w, http.StatusServiceUnavailable, body)
}

// newMetrics is the registry of this server: the password pool, the
// outbox's backlog and the database pool are read at scrape time; the
// core reports sign-ins to it.
func (s *Server) newMetrics() *metrics.Metrics {
	src := metrics.Sources{Version: s.opts.Version, Commit: s.opts.Commit, Ready: func() bool { return s.Health.Report().OK() }}
	if h, ok := s.Core.Hasher.(interface{ Stats() password.Stats }); ok {
		src.Hashes = func() (int64, int64, uint64) {
			st := h.Stats()
			return st.Running, st.Waiting, st.Rejected
		}
	}
	if s.raw != nil {
		src.DB, src.Outbox = s.raw.DB(), s.raw.OutboxPending
	}
	m := metrics.New(src)
	s.Core.Logins = m
	return m
}

// schemaCheck is the readiness check "migrations": the schema has every
// migration this binary needs. A newer release's migrations (a rolling
// upgrade) do not count against it.
func schemaCheck(st *sqlstore.Store) health.Check {
	return health.Check{Name: "migrations", Run: func(ctx context.Context) error {
		pending, err := migrations.Pending(ctx, st.DB(), st.Dialect().Name)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return health.Fail(health.Behind, fmt.Errorf("the schema lacks %s (run gatehouse migrate)", strings.Join(pending, ", ")))
		}
		return nil
	}}
}

// watchRedis adds the readiness check "redis" when the rate limits are
// counted in Redis (GATEHOUSE_REDIS_URL).
func (s *Server) watchRedis(l core.Limiter) {
	f, ok := l.(*limit.Fallback)
	if !ok {
		return
	}
	if r, ok := f.Primary.(interface{ Ping(context.Context) error }); ok {
		s.Health.AddCheck(health.Check{Name: "redis", Run: r.Ping})
	}
}

// logSchema says at start which migrations opening the database applied.
func (s *Server) logSchema() {
	if s.raw == nil {
		return
	}
	if applied := s.raw.Migrated(); len(applied) > 0 {
		s.Log.Info("database migrated", "applied", strings.Join(applied, ","), "dialect", s.raw.Dialect().Name)
		return
	}
	versions, _ := migrations.Versions(s.raw.Dialect().Name)
	s.Log.Info("database schema is current", "version", versions[len(versions)-1], "dialect", s.raw.Dialect().Name)
}
