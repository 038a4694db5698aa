package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/requestid"
)

// observe is the outermost middleware of the public listener. It makes
// the request's context once: the request's id (a sane X-Request-Id it came
// with, else a new one; echoed in the answer), which every line logged
// with the context carries; the client (address, user agent) that the
// core's lockout and audit read; and the deadline of the request's work
// (GATEHOUSE_REQUEST_TIMEOUT), which the database calls and the hashing
// pool honour (requestContext). It serves the request through an answer,
// which records the status and turns the mux's 404 and 405 into JSON
// while the mux (which next ends in) routes the request, once. Once
// answered, it logs one line (at debug level for a healthy probe,
// probeRoute) and counts the request in the metrics.
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

func (s *Server) observe(ipOf func(*http.Request) string, json httpjson.Adapter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ip := ipOf(r)
		// One allocation for the writer, the context and the id's header
		// value: this runs for every request (issue 13, item 6).
		q := &request{}
		q.ctx = requestContext{parent: r.Context(), deadline: start.Add(s.Config.RequestTimeout), id: requestid.Of(r),
			caller: core.Caller{IP: ip, UserAgent: r.UserAgent()}}
		defer q.ctx.end()
		q.idHeader[0] = q.ctx.id
		w.Header()[requestid.Header] = q.idHeader[:]
		inner := r.WithContext(&q.ctx)
		q.answer = answer{ResponseWriter: w, req: inner, json: json}
		next.ServeHTTP(&q.answer, inner)
		took := time.Since(start)
		status := q.answer.status
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
		if s.Log.Enabled(inner.Context(), level) {
			s.Log.LogAttrs(inner.Context(), level, "request",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
				slog.Duration("took", took), slog.String("ip", ip))
		}
	})
}

// request is what observe makes for one request, in one allocation.
type request struct {
	answer   answer
	ctx      requestContext
	idHeader [1]string
}
