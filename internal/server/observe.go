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
// pool honour. Once answered, it logs one line and counts the request in
// the metrics.
//
// The line and the metrics name the route pattern, never the path or
// query: paths carry confirmation codes, queries carry credentials (the
// bank door), and neither may reach the log; patterns also keep the
// metrics' series few whatever paths clients send.
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
		s.Log.LogAttrs(inner.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
			slog.Duration("took", took), slog.String("ip", ip))
	})
}
