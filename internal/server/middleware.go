package server

import (
	"bytes"
	"net"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// statusWriter remembers the status for the access log and the metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverer turns a panic into a 500 JSON answer and a logged stack.
func recoverer(a httpjson.Adapter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.ErrorContext(r.Context(), "panic", "route", r.Pattern, "value", v, "stack", string(debug.Stack()))
				a.Error(w, r, &core.Error{Kind: core.KindInternal, Code: "internal_error", Message: "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secure sets the headers every answer carries and caps the body size.
func secure(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		if r.ContentLength > maxBody {
			httpjson.Adapter{}.Error(w, r, httpjson.ErrBodyTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// jsonFallback answers the mux's own 404 and 405 in the JSON error shape
// (keeping the Allow header of a 405), instead of plain text.
func jsonFallback(a httpjson.Adapter, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.code {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			a.Error(w, r, &httpjson.StatusError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "method not allowed; see the Allow header"})
		case http.StatusNotFound:
			a.Error(w, r, &core.Error{Kind: core.KindNotFound, Code: "not_found", Message: "no such endpoint"})
		default: // a redirect (path cleaning): pass it on
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.code)
			_, _ = w.Write(rec.body.Bytes())
		}
	})
}

// recorder keeps what the mux's own handler of an unmatched request (a
// 404, a 405, a redirect) writes, for jsonFallback to rewrite.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// clientIP resolves the client address: the peer, unless the peer is a
// trusted proxy, in which case the rightmost X-Forwarded-For entry that is
// not itself a trusted proxy.
type clientIP struct{ trusted []*net.IPNet }

func newClientIP(cidrs []string) clientIP {
	var c clientIP
	for _, s := range cidrs {
		if _, n, err := net.ParseCIDR(s); err == nil {
			c.trusted = append(c.trusted, n)
		}
	}
	return c
}

func (c clientIP) isTrusted(ip net.IP) bool {
	for _, n := range c.trusted {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func (c clientIP) Of(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer := net.ParseIP(host)
	if peer == nil || !c.isTrusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break
		}
		if !c.isTrusted(ip) {
			return ip.String()
		}
	}
	return host
}
