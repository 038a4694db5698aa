package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// The server's share of abuse resistance (SECURITY.md): request limits,
// the client context the core audits and locks out by, CORS, caps and
// deadlines. The doors only name their endpoint and subject.

// maxURI caps the request target; longer ones answer 414 before routing.
const maxURI = 8 << 10

// limiter returns the doors' rate-limit check over HTTP (rateLimits, with
// the client a request names without reading its body), or nil when
// limits are off.
func (s *Server) limiter() func(r *http.Request, endpoint core.Endpoint, subject string) error {
	limit := s.RateLimits()
	if limit == nil {
		return nil
	}
	return func(r *http.Request, endpoint core.Endpoint, subject string) error {
		ctx := r.Context()
		if client := clientID(r); client != "" {
			ctx = core.WithClient(ctx, client)
		}
		return limit(ctx, endpoint, subject)
	}
}

// clientID names the OAuth client of a request without reading its body:
// the client a door found in a step token, the Basic auth user (the bank
// door's clients) or a client_id parameter in the query.
func clientID(r *http.Request) string {
	if id := core.CallerOf(r.Context()).Client; id != "" {
		return id
	}
	if id, _, ok := r.BasicAuth(); ok && id != "" {
		return id
	}
	return r.URL.Query().Get("client_id")
}

// hardened refuses overlong request targets, answers CORS for the
// configured origins only and sets HSTS when the public URL is https. The
// request's context (its id, the client for the core's lockout and audit,
// the deadline that the database calls and the hashing pool honour) is
// made once, by observe.
func (s *Server) hardened(a httpjson.Adapter, next http.Handler) http.Handler {
	origins := map[string]bool{}
	for _, o := range s.Config.Origins() {
		origins[strings.TrimRight(o, "/")] = true
	}
	hsts := strings.HasPrefix(s.Config.PublicURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hsts {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if len(r.RequestURI) > maxURI {
			httpjson.Write(w, http.StatusRequestURITooLong, httpjson.Body{Error: "uri_too_long", Message: "request URI is too long"})
			return
		}
		if cors(w, r, origins) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cors adds CORS headers for an allowed Origin and answers its preflight
// (true). Other origins get no CORS header, so browsers keep their pages
// from reading any answer. No credentials: tokens travel as bearer headers.
func cors(w http.ResponseWriter, r *http.Request, allowed map[string]bool) bool {
	o := r.Header["Origin"] // canonical, as net/http stores it: no Get on every request
	if len(o) == 0 || o[0] == "" {
		return false
	}
	origin := o[0]
	h := w.Header()
	h.Add("Vary", "Origin")
	if !allowed[origin] {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate, Idempotent-Replayed, X-Request-Id")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Device-Fingerprint, X-API-Key, Idempotency-Key, X-Request-Id")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// Harden sets the limits every Gatehouse HTTP server runs with: a timeout
// on each phase of a request (headers, body, answer, idle keep-alive) and
// a cap on header bytes (431 past it). Run uses it; so does testenv.
func Harden(srv *http.Server) {
	srv.ReadHeaderTimeout = 5 * time.Second
	srv.ReadTimeout = 15 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.IdleTimeout = 2 * time.Minute
	srv.MaxHeaderBytes = 32 << 10
}
