// Package bank is the bank's front door (docs/bank.md): the OAuth token
// endpoint whose password grant takes RSA-encrypted credentials and starts
// a chain of steps (customer choice, auth factors) in the bank domain
// (internal/core/bank). The door parses the wire once, makes one domain
// call per grant (one small file each) and writes the answer in RFC 6749's
// shape; the sequence of a grant (limits, client authentication,
// decryption, replay records) is the domain's.
package bank

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	bankcore "github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Door serves the bank's token endpoint and what a signed-in bank user
// does. Build it as a struct literal of its dependencies.
type Door struct {
	Bank      *bankcore.Service
	PublicPEM func() []byte // the credential key to encrypt with, SPKI PEM; nil: none published (503)
	// KeyMaxAge is how long clients may keep the public key (default 5 min).
	KeyMaxAge time.Duration
	Zone      *time.Location
	ClientIP  func(r *http.Request) string
	Log       *slog.Logger
	// Idempotency serves the Idempotency-Key of code sending.
	Idempotency httpjson.Idempotency
}

// Mount registers the door's routes.
func (d *Door) Mount(mux *http.ServeMux) {
	h := func(fn handler) http.Handler { return adapt(d.Log, fn) }
	mux.Handle("POST /auth/oauth/token", h(d.token))
	mux.Handle("GET /auth/oauth/public-key", http.HandlerFunc(d.publicKey))
	// A code is sent per step session: the key binds to it, and a replay
	// meets the step's checks first.
	mux.Handle("POST /auth/oauth/otp", h(d.stepAuthed(handler(httpjson.Idempotent(d.Idempotency, d.mayCodeBeSent,
		func(r *http.Request) string { return "session:" + stepOf(r).p.Session.ID }, otpSent, d.sendOTP)))))
	mux.Handle("POST /auth/oauth/revoke", h(d.revoke))
	mux.Handle("POST /auth/oauth/logout", h(d.stepAuthed(d.logout)))
	mux.Handle("GET /auth/oauth/devices", h(d.fullAuthed(d.listDevices)))
	mux.Handle("POST /auth/oauth/devices", h(d.fullAuthed(d.addDevice)))
	mux.Handle("DELETE /auth/oauth/devices/{id}", h(d.fullAuthed(d.removeDevice)))
	mux.Handle("POST /auth/oauth/totp", h(d.stepAuthed(d.beginTOTP)))
	mux.Handle("POST /auth/oauth/totp/confirm", h(d.fullAuthed(d.confirmTOTP)))
	mux.Handle("DELETE /auth/oauth/totp", h(d.fullAuthed(d.removeTOTP)))
}

// publicKey serves the credential key to encrypt with; 503 (in the OAuth
// shape) when none is published, never an empty key.
func (d *Door) publicKey(w http.ResponseWriter, r *http.Request) {
	if err := httpjson.WritePEM(w, d.PublicPEM(), cmp.Or(d.KeyMaxAge, 5*time.Minute)); err != nil {
		adapt(d.Log, func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(w, r)
	}
}

// token is the token endpoint: one grant per file (grant_*.go).
func (d *Door) token(w http.ResponseWriter, r *http.Request) error {
	p, err := params(r)
	if err != nil {
		return err
	}
	switch word(p, "grant_type") {
	case "":
		return errNoGrant
	case bankcore.GrantPassword:
		return d.passwordGrant(w, r, p)
	case bankcore.GrantCustomer:
		return d.customerGrant(w, r, p)
	case bankcore.GrantOTP:
		return d.otpGrant(w, r, p)
	case bankcore.GrantRefreshToken:
		return d.refreshGrant(w, r, p)
	}
	return core.ErrUnsupportedGrant
}

// clientAuth reads how the request names and authenticates its client:
// HTTP Basic (RFC 6749 §2.3.1, id and secret form-urlencoded), or
// client_id and client_secret among the parameters; the domain
// authenticates it (bank.Service.AuthenticateClient).
func clientAuth(r *http.Request, p url.Values) bankcore.ClientAuth {
	a := bankcore.ClientAuth{Origin: r.Header.Get("Origin")}
	id, secret, ok := r.BasicAuth()
	if !ok {
		a.Named, a.ID, a.Secret = p.Get("client_id"), p.Get("client_id"), p.Get("client_secret")
		return a
	}
	a.Named = id
	var err1, err2 error
	a.ID, err1 = url.QueryUnescape(id)
	a.Secret, err2 = url.QueryUnescape(secret)
	a.Malformed = err1 != nil || err2 != nil || p.Get("client_id") != ""
	return a
}

type principalKey struct{}

// step holds a verified Bearer step token and its client.
type step struct {
	p      identity.Principal
	client bankcore.Client
}

// stepToken verifies the Bearer token of steps 2 and 3 (a pending chain
// only when allowPending) and finds its client; a confidential client also
// presents its credentials among the parameters (docs/bank.md).
func (d *Door) stepToken(r *http.Request, p url.Values, allowPending bool) (step, error) {
	a := bankcore.ClientAuth{ID: p.Get("client_id"), Secret: p.Get("client_secret"), Origin: r.Header.Get("Origin")}
	s, err := d.Bank.Step(r.Context(), httpjson.Bearer(r), a, allowPending)
	var te *bankcore.TokenError
	if errors.As(err, &te) {
		return step{}, bearerError{te.Err}
	}
	if err != nil {
		return step{}, err
	}
	return step{p: s.Principal, client: s.Client}, nil
}

// limitStep applies the endpoint's limits to a verified step: per IP, per
// user of the token and per the token's client (the request names none).
func (d *Door) limitStep(r *http.Request, endpoint core.Endpoint, s step) error {
	return d.Bank.LimitStep(r.Context(), endpoint, bankcore.Step{Principal: s.p, Client: s.client})
}

// stepAuthed wraps an endpoint that takes a step token of any progress.
func (d *Door) stepAuthed(next handler) handler { return d.authed(next, true) }

// fullAuthed wraps an endpoint that needs a complete chain: any other
// token is refused with 403 insufficient_scope.
func (d *Door) fullAuthed(next handler) handler { return d.authed(next, false) }

func (d *Door) authed(next handler, allowPending bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := params(r)
		if err != nil {
			return err
		}
		s, err := d.stepToken(r, p, allowPending)
		if err != nil {
			return err
		}
		ctx := context.WithValue(r.Context(), principalKey{}, s)
		ctx = context.WithValue(ctx, paramsKey{}, p)
		return next(w, r.WithContext(ctx))
	}
}

type paramsKey struct{}

func stepOf(r *http.Request) step         { return r.Context().Value(principalKey{}).(step) }
func paramsOf(r *http.Request) url.Values { return r.Context().Value(paramsKey{}).(url.Values) }
func fingerprint(r *http.Request) string  { return truncate(r.Header.Get("Device-Fingerprint"), 512) }

func (d *Door) clientIP(r *http.Request) string {
	if d.ClientIP == nil {
		return ""
	}
	return d.ClientIP(r)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (d *Door) writeLogin(w http.ResponseWriter, l bankcore.Login) error {
	write(w, http.StatusOK, answer(l, d.Zone))
	return nil
}
