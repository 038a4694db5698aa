package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/requestid"
)

// observe is the outermost middleware of the public listener. It makes
// the request's context once: the request's id (a sane X-Request-Id it came
// with, else a new one; echoed in the answer), which every line logged
// with the context carries; the client (address, user agent) that the
// core's lockout and audit read; and the deadline of the request's work
// (GATEHOUSE_REQUEST_TIMEOUT), which the database calls and the hashing
// pool honour. Once answered, it logs one line (at debug level for a
// healthy probe, probeRoute) and counts the request in the metrics.
//
// The line and the metrics name the route pattern, never the path or
// query: paths carry confirmation codes, queries carry credentials (the
// bank door), and neither may reach the log; patterns also keep the
// metrics' series few whatever paths clients send.
// probeRoute is the load balancers' health probe. Its healthy answers are
// logged at debug level: a probe every second per balancer would fill the
// log with lines that say nothing, and their line (its formatting and its
// write(2)) was the largest part of the probe's cost (BENCHMARKS.md, issue
// 13). They are still counted in the metrics, and a probe answered 503 is
// logged at info as every other request.
const probeRoute = "GET /status"

func (s *Server) observe(ipOf func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id, ip := requestid.Of(r), ipOf(r)
		w.Header().Set(requestid.Header, id)
		ctx, cancel := context.WithTimeout(requestid.With(r.Context(), id), s.Config.RequestTimeout)
		defer cancel()
		inner := r.WithContext(core.WithCaller(ctx, core.Caller{IP: ip, UserAgent: r.UserAgent()}))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, inner)
		took := time.Since(start)
		status := sw.status
		if status == 0 { // nothing written: net/http answers 200
			status = http.StatusOK
		}
		route := inner.Pattern // the mux set it on inner
		s.Metrics.Request(route, r.Method, status, took)
		if route == "" {
			route = "unmatched"
		}
		level := slog.LevelInfo
		if route == probeRoute && status < 300 {
			level = slog.LevelDebug
		}
		s.Log.LogAttrs(inner.Context(), level, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
			slog.Duration("took", took), slog.String("ip", ip))
	})
}
