package server

import (
	"net"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

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

// securityHeaders are the headers every answer carries. Their values are
// shared by every answer instead of made by Header.Set for each (four
// allocations a request): net/http only reads them, Set and Del replace
// the slice rather than write into it, and a slice of one value at full
// capacity is copied by any append. Names are canonical.
var securityHeaders = [...]struct {
	name  string
	value []string
}{
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Referrer-Policy", []string{"no-referrer"}},
	{"Content-Security-Policy", []string{"default-src 'none'; frame-ancestors 'none'"}},
}

// secure sets the headers every answer carries and caps the body size.
func secure(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, v := range securityHeaders {
			h[v.name] = v.value
		}
		if r.ContentLength > maxBody {
			httpjson.Adapter{}.Error(w, r, httpjson.ErrBodyTooLarge)
			return
		}
		if r.Body != http.NoBody { // net/http's body of a request without one: nothing to cap
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
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
	if len(c.trusted) == 0 { // no proxy to look behind: the peer, without parsing it
		return host
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
