package server

import (
	"net/http"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/door/admin"
	"github.com/gatehouse/gatehouse/internal/door/bank"
	"github.com/gatehouse/gatehouse/internal/door/cashdesk"
	"github.com/gatehouse/gatehouse/internal/door/oidc"
	"github.com/gatehouse/gatehouse/internal/door/platform"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/web"
	"github.com/gatehouse/gatehouse/internal/web/signout"
)

// routes mounts every door and the hosted pages, and wraps the mux in the
// common middleware. A template or catalogue of the pages that does not
// parse stops the start.
func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	ip := newClientIP(s.Config.Proxies())
	jsonErr := httpjson.Adapter{Log: s.Log}
	idem := s.idempotency()

	pages, err := s.pages(s.limiter()) // pages.go
	if err != nil {
		return nil, err
	}
	pages.Mount(mux)

	(&platform.Door{
		ConfirmPage: pages.ConfirmPage(), PrefersHTML: web.PrefersHTML,
		Identity: s.Identity, Factors: s.Factors, PublicPEM: s.Signing.PublicPEM, KeyMaxAge: s.Config.JWKSMaxAge,
		Version: s.opts.Version, Commit: s.opts.Commit,
		Limit: s.limiter(), ClientIP: ip.Of, JSON: jsonErr, Health: s.Health, Idempotency: idem,
	}).Mount(mux)

	(&bank.Door{
		Bank: s.Bank, PublicPEM: s.Credential.PublicPEM, KeyMaxAge: s.Config.JWKSMaxAge, Zone: s.Config.Zone(), ClientIP: ip.Of, Log: s.Log,
		Idempotency: idem,
	}).Mount(mux)

	adminDoor := &admin.Door{Identity: s.Identity, Factors: s.Factors, Cashdesk: s.Cashdesk, Bank: s.Bank, TokenHash: s.adminTokenHash, RotateKeys: s.rotateKeys, JSON: jsonErr}
	if f := s.AdminFailures(); f != nil {
		adminDoor.Failures = f // a nil *AdminFailures in the interface would not be nil
	}
	adminDoor.Mount(mux)
	adminDoor.MountBank(mux)

	zone, _ := s.Config.CashdeskLocation() // Validate has loaded it once already
	(&cashdesk.Door{
		Identity: s.Identity, Factors: s.Factors, Cashdesk: s.Cashdesk, Zone: zone, TokenTTL: s.Config.CashdeskTokenTTL,
		Limit: s.limiter(), ClientIP: ip.Of, JSON: jsonErr, Idempotency: idem,
	}).Mount(mux)

	var browser oidc.Browser = pagesBrowser{pages}
	if s.opts.Browser != nil { // a test's own sign-in
		browser = s.opts.Browser
	}
	(&oidc.Door{
		OAuth: s.OAuth, Browser: browser, Issuer: s.Config.PublicURL, SigningAlg: s.signingAlg(),
		EndSessionPath: signout.EndSessionPath,
		ClientIP:       ip.Of, Log: s.Log,
	}).Mount(mux)

	mux.HandleFunc("GET /.well-known/jwks.json", s.jwks) // keys.go
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(api.Rendered(s.Config.PublicURL, s.Config.SourceList()))
	})

	// The mux's own 404 and 405 become JSON in observe's answer.
	h := secure(s.Config.MaxBodyBytes, mux)
	h = s.hardened(jsonErr, h) // security.go: CORS, URL cap, HSTS
	h = recoverer(jsonErr, h)
	return s.observe(ip.Of, jsonErr, h), nil // observe.go: the request's context (id, client, deadline), the JSON 404/405, access log, metrics
}

// idempotency is the doors' Idempotency-Key support: the keeper, and the
// "idempotency" rate limit that requests carrying a key pass before the
// key is looked up.
func (s *Server) idempotency() httpjson.Idempotency {
	x := httpjson.Idempotency{Keeper: s.Replies}
	if limit := s.limiter(); limit != nil {
		x.Limit = func(r *http.Request) error { return limit(r, core.EndpointIdempotency, "") }
	}
	return x
}
