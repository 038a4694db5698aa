// Package bank is the front door of seed 000 (a bank's login): the OAuth
// token endpoint whose password grant takes RSA-encrypted credentials and
// starts a chain of steps (customer choice, auth factors) over the
// identity core's identity.Bank. Client authentication and answer writing live
// here; each grant has its own file. Where the seed is silent, DESIGN.md
// "The bank door" decides; docs/bank.md tells clients how to use it.
package bank

import (
	"context"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Door serves seed 000. Build it as a struct literal of its dependencies.
type Door struct {
	Bank *identity.Bank
	// Decrypters are the credential keys that may still decrypt, newest
	// first (keys.Ring.Decrypters of the enc ring).
	Decrypters func() []*rsa.PrivateKey
	PublicPEM  func() []byte // the current credential key, SPKI PEM
	Paddings   []string      // enabled credential paddings: oaep, pkcs1
	Zone       *time.Location
	// Limit guards every public endpoint, one endpoint name per grant
	// (config.DefaultLimits: bank_login and bank_user for step 1,
	// bank_customer, bank_factor, bank_refresh, bank_otp, bank_revoke);
	// nil means no limit.
	Limit    func(r *http.Request, endpoint, subject string) error
	ClientIP func(r *http.Request) string
	Log      *slog.Logger
	// Idempotency serves the Idempotency-Key of code sending.
	Idempotency httpjson.Idempotency
}

// Mount registers the door's routes.
func (d *Door) Mount(mux *http.ServeMux) {
	h := func(fn handler) http.Handler { return adapt(d.Log, fn) }
	mux.Handle("POST /auth/oauth/token", h(d.token))
	mux.Handle("GET /auth/oauth/public-key", http.HandlerFunc(d.publicKey))
	// A code is sent per step session: the key binds to it.
	mux.Handle("POST /auth/oauth/otp", h(d.stepAuthed(handler(httpjson.Idempotent(d.Idempotency,
		func(r *http.Request) string { return "session:" + stepOf(r).p.Session.ID }, otpSent, d.sendOTP)))))
	mux.Handle("POST /auth/oauth/revoke", h(d.revoke))
	mux.Handle("POST /auth/oauth/logout", h(d.stepAuthed(d.logout)))
	mux.Handle("GET /auth/oauth/devices", h(d.fullAuthed(d.listDevices)))
	mux.Handle("POST /auth/oauth/devices", h(d.fullAuthed(d.addDevice)))
	mux.Handle("DELETE /auth/oauth/devices/{id}", h(d.fullAuthed(d.removeDevice)))
	mux.Handle("POST /auth/oauth/totp", h(d.fullAuthed(d.beginTOTP)))
	mux.Handle("POST /auth/oauth/totp/confirm", h(d.fullAuthed(d.confirmTOTP)))
	mux.Handle("DELETE /auth/oauth/totp", h(d.fullAuthed(d.removeTOTP)))
}

func (d *Door) publicKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(d.PublicPEM())
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
	case identity.GrantPassword:
		return d.passwordGrant(w, r, p)
	case identity.GrantCustomer:
		return d.customerGrant(w, r, p)
	case identity.GrantOTP:
		return d.otpGrant(w, r, p)
	case identity.GrantRefreshToken:
		return d.refreshGrant(w, r, p)
	}
	return core.ErrUnsupportedGrant
}

// basicClient authenticates the client of step 1, refresh and revoke:
// HTTP Basic (RFC 6749 §2.3.1, id and secret form-urlencoded), or
// client_id and client_secret among the parameters.
func (d *Door) basicClient(r *http.Request, p url.Values) (identity.Client, error) {
	id, secret, ok := r.BasicAuth()
	if ok {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil || p.Get("client_id") != "" {
			return identity.Client{}, core.ErrInvalidClient
		}
	} else {
		id, secret = p.Get("client_id"), p.Get("client_secret")
	}
	return d.checkClient(r, id, secret)
}

func (d *Door) checkClient(r *http.Request, id, secret string) (identity.Client, error) {
	c, err := d.Bank.Core.AuthenticateClient(r.Context(), id, secret)
	if err != nil {
		return identity.Client{}, err
	}
	if !c.AllowsOrigin(r.Header.Get("Origin")) {
		return identity.Client{}, core.ErrInvalidClient
	}
	return c, nil
}

type principalKey struct{}

// step holds a verified Bearer step token and its client.
type step struct {
	p      identity.Principal
	client identity.Client
}

// stepToken verifies the Bearer token of steps 2 and 3 (a pending chain
// is fine) and finds its client. A confidential client also presents its
// credentials among the parameters (DESIGN.md).
func (d *Door) stepToken(r *http.Request, p url.Values, allowPending bool) (step, error) {
	tok := httpjson.Bearer(r)
	if tok == "" {
		return step{}, bearerError{core.ErrUnauthenticated}
	}
	pr, err := d.Bank.Core.VerifyAccess(r.Context(), tok, identity.VerifyOptions{AllowPending: allowPending})
	if err != nil {
		if core.KindOf(err) == core.KindUnauthenticated {
			return step{}, bearerError{err}
		}
		return step{}, err
	}
	if pr.Session.Door != identity.BankDoor {
		return step{}, bearerError{core.ErrInvalidToken}
	}
	c, err := d.Bank.Core.Store.ClientByID(r.Context(), pr.Session.ClientID)
	if err != nil {
		return step{}, bearerError{core.ErrInvalidToken.With(err)}
	}
	if !c.Public() {
		if p.Get("client_id") != c.ID {
			return step{}, core.ErrInvalidClient
		}
		if c, err = d.checkClient(r, c.ID, p.Get("client_secret")); err != nil {
			return step{}, err
		}
	} else if !c.AllowsOrigin(r.Header.Get("Origin")) {
		return step{}, core.ErrInvalidClient
	}
	return step{p: pr, client: c}, nil
}

// limitClient applies the endpoint's limits per IP and per the client the
// request names, by Basic auth or by a client_id parameter of the query or
// the form body (before the client is authenticated: the limit guards
// that work too).
func (d *Door) limitClient(r *http.Request, endpoint string, p url.Values) error {
	id, _, ok := r.BasicAuth()
	if !ok {
		id = p.Get("client_id")
	}
	return d.limit(r.WithContext(core.WithClient(r.Context(), id)), endpoint, "")
}

// limitStep applies the endpoint's limits to a verified step: per IP, per
// user of the token and per the token's client (the request names none).
func (d *Door) limitStep(r *http.Request, endpoint string, s step) error {
	return d.limit(r.WithContext(core.WithClient(r.Context(), s.client.ID)), endpoint, identity.LookupKey(s.p.User.Email))
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
func (d *Door) limit(r *http.Request, endpoint, subject string) error {
	if d.Limit == nil {
		return nil
	}
	return d.Limit(r, endpoint, subject)
}

func (d *Door) clientIP(r *http.Request) string {
	if d.ClientIP == nil {
		return ""
	}
	return d.ClientIP(r)
}

func (d *Door) paddings() (oaep, pkcs1 bool) {
	return slices.Contains(d.Paddings, "oaep"), slices.Contains(d.Paddings, "pkcs1")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (d *Door) writeLogin(w http.ResponseWriter, l identity.BankLogin) error {
	write(w, http.StatusOK, answer(l, d.Zone))
	return nil
}
