package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/requestid"
)

// observe is the outermost middleware of the public listener. It gives
// the request its id (a sane X-Request-Id it came with, else a new one),
// echoed in the answer and carried by its context into every line logged
// with it; once answered, it logs one line and counts the request in the
// metrics.
//
// The line and the metrics name the route pattern, never the path or
// query: paths carry confirmation codes, queries carry credentials (the
// bank door), and neither may reach the log; patterns also keep the
// metrics' series few whatever paths clients send.
func (s *Server) observe(ip func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestid.Of(r)
		w.Header().Set(requestid.Header, id)
		inner := r.WithContext(requestid.With(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, inner)
		took := time.Since(start)
		status := sw.status
		if status == 0 { // nothing written: net/http answers 200
			status = http.StatusOK
		}
		route := inner.Pattern // the mux set it (hardened copies it back here)
		s.Metrics.Request(route, r.Method, status, took)
		if route == "" {
			route = "unmatched"
		}
		s.Log.LogAttrs(inner.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
			slog.Duration("took", took), slog.String("ip", ip(r)))
	})
}
