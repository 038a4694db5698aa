package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/metrics"
	"github.com/gatehouse/gatehouse/internal/requestid"
)

// BenchmarkObserve is what the outermost middleware costs a request: the
// request id, the access line and the metrics (observe), beside the
// access line alone as every request paid it before (plainAccessLog), on
// a handler that does nothing else. BENCHMARKS.md quotes the difference.
func BenchmarkObserve(b *testing.B) {
	log := slog.New(requestid.NewHandler(slog.NewTextHandler(io.Discard, nil)))
	s := &Server{Log: log, Metrics: metrics.New(metrics.Sources{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/user/profile", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	ip := func(r *http.Request) string { return "192.0.2.1" }
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"access-log-only", plainAccessLog(log, ip, mux)}, {"observe", s.observe(ip, mux)}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/v1/user/profile", nil)
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
			}
		})
	}
}

// plainAccessLog is the access log as it was before request ids and
// metrics: the baseline of BenchmarkObserve.
func plainAccessLog(log *slog.Logger, ip func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", r.Pattern), slog.Int("status", sw.status),
			slog.Duration("took", time.Since(start)), slog.String("ip", ip(r)))
	})
}
