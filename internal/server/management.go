package server

import (
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/metrics"
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
// identity domain reports sign-ins to it, the rate limits their refusals.
func (s *Server) newMetrics() *metrics.Metrics {
	app := s.Sources()
	src := metrics.Sources{Version: s.opts.Version, Commit: s.opts.Commit, Ready: func() bool { return s.Health.Report().OK() },
		Hashes: app.Hashes, Outbox: app.Outbox, DB: app.DB}
	m := metrics.New(src)
	s.Identity.Logins = m
	s.OnRateLimited = m.RateLimited
	return m
}
