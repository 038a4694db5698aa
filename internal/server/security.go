package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/limit"
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
	limit := s.rateLimits()
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

// rateLimits is the rate limits as a core.Limit over the context's caller,
// or nil when they are off. Each endpoint has per-minute limits per client
// IP, per subject (the address tried: the key is the string whether or
// not an account has it) and per OAuth client; endpoints not in the table
// get the "default" row.
func (s *Server) rateLimits() core.Limit {
	if s.Config.RateLimits == "off" {
		return nil
	}
	rules, err := s.Config.Limits()
	if err != nil { // Validate has refused this already
		rules = config.DefaultLimits()
	}
	return func(ctx context.Context, endpoint core.Endpoint, subject string) error {
		l, ok := rules[endpoint]
		if !ok {
			l = rules[core.EndpointDefault]
		}
		c, e := core.CallerOf(ctx), string(endpoint)
		if err := s.allow(ctx, "ip:"+e+":"+c.IP, l.PerIP); err != nil {
			return err
		}
		if subject = strings.TrimSpace(subject); subject != "" {
			if err := s.allow(ctx, "sub:"+e+":"+truncate(subject, 320), l.PerSubject); err != nil {
				return err
			}
		}
		if c.Client != "" {
			return s.allow(ctx, "cli:"+e+":"+truncate(c.Client, 128), l.PerClient)
		}
		return nil
	}
}

func (s *Server) allow(ctx context.Context, key string, n int) error {
	if n <= 0 {
		return nil
	}
	ok, retry, err := s.Core.Limits.Allow(ctx, key, n, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return core.RateLimited(retry)
	}
	return nil
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

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// newLimiter is the in-process limiter, or Redis (shared by every node)
// when GATEHOUSE_REDIS_URL is set, falling back to in-process counts while
// Redis fails. close releases Redis.
func newLimiter(cfg config.Config, log *slog.Logger, now func() time.Time) (l identity.Limiter, close func() error, err error) {
	local := limit.NewMemory(now)
	if cfg.RedisURL == "" {
		return local, func() error { return nil }, nil
	}
	r, err := limit.NewRedis(cfg.RedisURL, cfg.RedisPrefix+"limit:")
	if err != nil {
		return nil, nil, err
	}
	return &limit.Fallback{Primary: r, Local: local, Log: log, Now: time.Now}, r.Close, nil
}

// securityPolicy is the core's lockout and audit policy from cfg.
func securityPolicy(cfg config.Config) identity.SecurityPolicy {
	return identity.SecurityPolicy{
		PairThreshold: cfg.LockoutPairThreshold, PairBackoff: cfg.LockoutPairBackoff, PairBackoffMax: cfg.LockoutPairBackoffMax,
		AccountThreshold: cfg.LockoutAccountThreshold, AccountLock: cfg.LockoutAccountDuration, Window: cfg.LockoutWindow,
		AuditRetention: cfg.AuditRetention, NewDeviceMail: cfg.NewDeviceMail,
	}
}

// hardened puts the client (IP, user agent) in the request's context for
// the core's lockout and audit, refuses overlong request targets, answers
// CORS for the configured origins only, and gives every request a
// deadline that the database calls and the hashing pool honour.
func (s *Server) hardened(a httpjson.Adapter, ip clientIP, next http.Handler) http.Handler {
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
		ctx, cancel := context.WithTimeout(r.Context(), s.Config.RequestTimeout)
		defer cancel()
		ctx = core.WithCaller(ctx, core.Caller{IP: ip.Of(r), UserAgent: r.UserAgent()})
		inner := r.WithContext(ctx)
		next.ServeHTTP(w, inner)
		r.Pattern = inner.Pattern // the mux set it on the copy; the access log reads it here
	})
}

// cors adds CORS headers for an allowed Origin and answers its preflight
// (true). Other origins get no CORS header, so browsers keep their pages
// from reading any answer. No credentials: tokens travel as bearer headers.
func cors(w http.ResponseWriter, r *http.Request, allowed map[string]bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if !allowed[origin] {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate, Idempotent-Replayed")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Device-Fingerprint, X-API-Key, Idempotency-Key")
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
