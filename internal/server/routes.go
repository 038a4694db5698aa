package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/door/admin"
	"github.com/gatehouse/gatehouse/internal/door/bank"
	"github.com/gatehouse/gatehouse/internal/door/cashdesk"
	"github.com/gatehouse/gatehouse/internal/door/platform"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/keys"
)

// routes mounts every door and wraps the mux in the common middleware.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	ip := newClientIP(s.Config.Proxies())
	jsonErr := httpjson.Adapter{Log: s.Log}

	(&platform.Door{
		Core: s.Core, PublicPEM: s.Signing.PublicPEM, Version: s.opts.Version, Commit: s.opts.Commit,
		Limit: s.limiter(ip), ClientIP: ip.Of, JSON: jsonErr,
	}).Mount(mux)

	(&bank.Door{
		Bank: s.Bank, Decrypters: s.Credential.Decrypters, PublicPEM: s.Credential.PublicPEM,
		Paddings: s.Config.Paddings(), Zone: s.Config.Zone(), Limit: s.limiter(ip), ClientIP: ip.Of, Log: s.Log,
	}).Mount(mux)

	adminDoor := &admin.Door{Core: s.Core, Token: s.adminToken, RotateKeys: s.rotateKeys, JSON: jsonErr}
	adminDoor.Mount(mux)
	adminDoor.MountBank(mux)

	zone, _ := s.Config.CashdeskLocation() // Validate has loaded it once already
	(&cashdesk.Door{
		Core: s.Core, Zone: zone, TokenTTL: s.Config.CashdeskTokenTTL,
		Limit: s.limiter(ip), ClientIP: ip.Of, JSON: jsonErr,
	}).Mount(mux)

	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Short: a rotation publishes the next key an hour before it signs,
		// and verifiers refetch on an unknown kid anyway.
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(keys.MergeJWKS(s.Signing, s.Credential))
	})
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(api.Rendered(s.Config.SourceList()))
	})

	var h http.Handler = jsonFallback(jsonErr, mux)
	h = secure(s.Config.MaxBodyBytes, h)
	h = recoverer(jsonErr, h)
	return accessLog(s.Log, ip.Of, h)
}

// endpointLimits are the request limits of the public endpoints: per client
// IP, and per subject (the e-mail address tried), each per minute. The
// subject key is the address string whether or not an account exists.
var endpointLimits = map[string]struct{ perIP, perSubject int }{
	"register": {perIP: 20, perSubject: 5},
	"login":    {perIP: 60, perSubject: 10},
	"resend":   {perIP: 20, perSubject: 5},
	"restore":  {perIP: 20, perSubject: 5},
	"reset":    {perIP: 20},
	"confirm":  {perIP: 30},
	"exists":   {perIP: 30},
	// The bank door: step 1 per decrypted username, and codes sent.
	"bank_login": {perIP: 60, perSubject: 10},
	"bank_otp":   {perIP: 20},
}

// limiter returns the doors' rate-limit check, or nil when limits are off.
func (s *Server) limiter(ip clientIP) func(r *http.Request, endpoint, subject string) error {
	if s.Config.RateLimits == "off" {
		return nil
	}
	return func(r *http.Request, endpoint, subject string) error {
		l, ok := endpointLimits[endpoint]
		if !ok {
			return nil
		}
		check := func(key string, n int) error {
			if n == 0 {
				return nil
			}
			ok, retry, err := s.Core.Limits.Allow(r.Context(), key, n, time.Minute)
			if err != nil {
				return err
			}
			if !ok {
				return core.RateLimited(retry)
			}
			return nil
		}
		if err := check("ip:"+endpoint+":"+ip.Of(r), l.perIP); err != nil {
			return err
		}
		if subject = strings.TrimSpace(subject); subject != "" {
			return check("sub:"+endpoint+":"+subject, l.perSubject)
		}
		return nil
	}
}

func (s *Server) rotateKeys(ctx context.Context) error {
	_, err := s.Signing.Rotate(ctx)
	return err
}
