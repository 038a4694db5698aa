// Package platform is the front door of the platform API (a platform's auth
// service): it maps that wire format to identity-core calls and nothing more.
// Paths, field names and shapes follow the published API; where it is silent,
// README.md "Decisions" and docs/platform.md decide.
package platform

import (
	"cmp"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/factors"
	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Door serves the platform API. Build it as a struct literal of its dependencies.
type Door struct {
	Identity  *identity.Service
	Factors   *identity.Factors // the account's second factors: login's mfa_required, /v1/user/factors
	PublicPEM func() []byte     // the current signing key, SPKI PEM; nil: none published (503)
	// KeyMaxAge is how long clients may keep the public key (default 5 min).
	KeyMaxAge time.Duration
	Version   string
	Commit    string
	// Limit guards the public endpoints (sign-up, exists, resend, restore,
	// confirm, login); nil means no limit.
	Limit func(r *http.Request, endpoint core.Endpoint, subject string) error
	// ClientIP is the request's client address (trusted proxies resolved).
	ClientIP func(r *http.Request) string
	JSON     httpjson.Adapter
	// Health is what /status reports, from memory: the database is pinged
	// in the background, never per status request.
	Health *health.State
	// Idempotency serves the Idempotency-Key of sign-up, restore and resend.
	Idempotency httpjson.Idempotency
	// ConfirmPage answers the confirmation link when the browser prefers
	// HTML (PrefersHTML): the hosted pages' page with a Confirm button;
	// nil: JSON only.
	ConfirmPage http.Handler
	// PrefersHTML tells a browser from an API client by its Accept header.
	PrefersHTML func(*http.Request) bool
}

// Mount registers the door's routes.
func (d *Door) Mount(mux *http.ServeMux) {
	h := d.JSON.H
	// Version and commit never change: the healthy answer, which load
	// balancers ask for many times a second, is encoded once.
	ok := httpjson.JSONReply(http.StatusOK, statusResponse{Status: "ok", Version: d.Version, Commit: d.Commit})
	mux.Handle("GET /status", h(func(w http.ResponseWriter, r *http.Request) error { return d.status(w, r, ok) }))
	// The key binds to the request itself: these endpoints are anonymous.
	mux.Handle("POST /v1/user", h(httpjson.Idempotent(d.Idempotency, httpjson.Anonymous, nil, registered, d.register)))
	mux.Handle("GET /v1/user/confirm/{code}", h(d.confirm))
	mux.Handle("POST /v1/user/resendEmail", h(httpjson.Idempotent(d.Idempotency, httpjson.Anonymous, nil, emailSent, d.resendEmail)))
	mux.Handle("GET /v1/user/profile", h(d.authed(d.profile)))
	mux.Handle("POST /v1/user/address", h(d.authed(d.addAddress)))
	mux.Handle("GET /v1/user/address/exists", h(d.addressExists))
	mux.Handle("DELETE /v1/user/address/{addressId}", h(d.authed(d.removeAddress)))
	mux.Handle("POST /v1/user/password/restore", h(httpjson.Idempotent(d.Idempotency, httpjson.Anonymous, nil, emailSent, d.restore)))
	mux.Handle("POST /v1/user/password/reset", h(d.reset))
	mux.HandleFunc("GET /v1/user/password/reset", resetLink)
	mux.Handle("GET /v1/user/sessions", h(d.authed(d.sessions)))
	mux.Handle("DELETE /v1/user/sessions/{id}", h(d.authed(d.revokeSession)))
	mux.Handle("POST /v1/auth/login", h(d.login))
	mux.Handle("POST /v1/auth/token", h(d.authed(d.externalToken)))
	mux.Handle("POST /v1/auth/refresh", h(d.refresh))
	mux.Handle("POST /v1/auth/logout", h(httpjson.OwnSession(d.Identity, door, d.logout)))
	mux.Handle("GET /v1/auth/publicKey", http.HandlerFunc(d.publicKey))
	factors.Endpoints{Factors: d.Factors, Limit: d.Limit}.Mount(mux, "/v1/user/factors", func(fn httpjson.Handler) http.Handler { return h(d.authed(fn)) })
}

// authed admits an access token or a permanent API key (Bearer or
// X-API-Key) whose scopes include this door.
func (d *Door) authed(next httpjson.Handler) httpjson.Handler {
	return httpjson.Authed(d.Identity, "platform", next)
}

func principal(r *http.Request) identity.Principal { return httpjson.PrincipalOf(r) }

func (d *Door) limit(r *http.Request, endpoint core.Endpoint, subject string) error {
	if d.Limit == nil {
		return nil
	}
	return d.Limit(r, endpoint, subject)
}

// status answers the platform API's status from the health state: 200 "ok", or
// 503 "degraded" (or "stopping" once shutdown began) with Retry-After and
// the failing checks named.
func (d *Door) status(w http.ResponseWriter, r *http.Request, ok core.Reply) error {
	if d.Health.Healthy() {
		httpjson.WriteReply(w, ok)
		return nil
	}
	rep := d.Health.Report()
	body := statusResponse{Status: rep.Status, Version: d.Version, Commit: d.Commit, Checks: rep.Checks}
	httpjson.SetRetryAfter(w.Header(), rep.RetryAfter)
	httpjson.Write(w, http.StatusServiceUnavailable, body)
	return nil
}

func (d *Door) publicKey(w http.ResponseWriter, r *http.Request) {
	if err := httpjson.WritePEM(w, d.PublicPEM(), cmp.Or(d.KeyMaxAge, 5*time.Minute)); err != nil {
		d.JSON.Error(w, r, err)
	}
}
