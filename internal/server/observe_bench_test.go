package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/metrics"
	"github.com/gatehouse/gatehouse/internal/requestid"
)

// BenchmarkObserve is what the outermost middleware costs a request: the
// request's context (id, client, deadline), the access line and the
// metrics (observe), beside what every request paid before request ids
// and metrics (plainAccessLog: the access line, and the client and
// deadline made in a second layer), on a handler that does nothing else.
// BENCHMARKS.md quotes the difference.
func BenchmarkObserve(b *testing.B) {
	log := slog.New(requestid.NewHandler(slog.NewTextHandler(io.Discard, nil)))
	s := &Server{App: &app.App{Log: log, Config: config.Default()}, Metrics: metrics.New(metrics.Sources{})}
	mux := http.NewServeMux()
	// The headers every JSON answer carries, so that the answer's header
	// map holds as much as on the real server when X-Request-Id joins it.
	mux.HandleFunc("GET /v1/user/profile", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, k := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy", "Content-Type", "Cache-Control"} {
			h.Set(k, "x")
		}
		w.WriteHeader(200)
	})
	ip := func(r *http.Request) string { return "192.0.2.1" }
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"before", plainAccessLog(log, ip, mux)}, {"observe", s.observe(ip, httpjson.Adapter{Log: log}, mux)}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/v1/user/profile", nil)
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
			}
		})
	}
}

// plainAccessLog is the access log and the request's context as they
// were before request ids and metrics: the baseline of BenchmarkObserve.
func plainAccessLog(log *slog.Logger, ip func(*http.Request) string, next http.Handler) http.Handler {
	withClient := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		defer cancel()
		inner := r.WithContext(core.WithCaller(ctx, core.Caller{IP: ip(r), UserAgent: r.UserAgent()}))
		next.ServeHTTP(w, inner)
		r.Pattern = inner.Pattern
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &answer{ResponseWriter: w}
		withClient.ServeHTTP(sw, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", r.Pattern), slog.Int("status", sw.status),
			slog.Duration("took", time.Since(start)), slog.String("ip", ip(r)))
	})
}
