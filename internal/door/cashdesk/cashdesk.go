// Package cashdesk is the front door of the cashdesk API (a cash-register service):
// cashiers authenticate with e-mail and password at the start of a shift
// and get a bearer token that lasts the shift; they keep a profile (full
// name, EDRPOU/DRFO, signature certificate), open and close shifts on the
// registers an administrator assigned them, and make permanent API keys.
// Where the published API is silent, docs/cashdesk.md decides; the paths
// beyond /api/v2/authenticate are Gatehouse's own, documented in
// api/openapi.yaml.
package cashdesk

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	cashdeskcore "github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/factors"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// door names the sessions this door opens and the API key scope it needs.
const door = "cashdesk"

// Door serves the cashdesk API. Build it as a struct literal of its dependencies.
type Door struct {
	Identity *identity.Service
	Factors  *identity.Factors     // the account's second factors: authenticate's mfa_required, /api/v2/factors
	Cashdesk *cashdeskcore.Service // profiles, certificates, registers and shifts
	Zone     *time.Location        // GATEHOUSE_CASHDESK_ZONE: the dates of the published API's answer
	TokenTTL time.Duration         // GATEHOUSE_CASHDESK_TOKEN_TTL: a shift
	// Limit guards authenticate and every re-entered password (the "login"
	// limits); nil means no limit.
	Limit    func(r *http.Request, endpoint core.Endpoint, subject string) error
	ClientIP func(r *http.Request) string
	JSON     httpjson.Adapter
	// Idempotency serves the Idempotency-Key of API-key creation.
	Idempotency httpjson.Idempotency
}

// Mount registers the door's routes. Every answer is JSON, so every route
// first checks that the client's Accept admits it.
func (d *Door) Mount(mux *http.ServeMux) {
	h := func(fn httpjson.Handler) http.Handler { return d.JSON.H(acceptJSON(fn)) }
	mux.Handle("POST /api/v2/authenticate", h(jsonBody(d.authenticate)))
	mux.Handle("POST /api/v2/logout", h(httpjson.OwnSession(d.Identity, door, d.logout)))
	mux.Handle("POST /api/v2/password", h(jsonBody(d.authed(d.changePassword))))
	mux.Handle("GET /api/v2/profile", h(d.authed(d.profile)))
	mux.Handle("PATCH /api/v2/profile", h(jsonBody(d.authed(d.updateProfile))))
	mux.Handle("PUT /api/v2/profile/certificate", h(d.authed(d.uploadCertificate)))
	mux.Handle("DELETE /api/v2/profile/certificate", h(d.authed(d.removeCertificate)))
	mux.Handle("GET /api/v2/registers", h(d.authed(d.registers)))
	mux.Handle("POST /api/v2/shifts", h(jsonBody(d.authed(d.openShift))))
	mux.Handle("GET /api/v2/shifts/current", h(d.authed(d.currentShift)))
	mux.Handle("POST /api/v2/shifts/{id}/close", h(d.authed(d.closeShift)))
	mux.Handle("POST /api/v2/api-keys", h(jsonBody(d.authed(d.keysOnly(
		httpjson.Idempotent(d.Idempotency, d.mayCreateKey, userCaller, keyCreated, d.createKey))))))
	mux.Handle("GET /api/v2/api-keys", h(d.authed(d.keysOnly(d.listKeys))))
	mux.Handle("DELETE /api/v2/api-keys/{id}", h(d.authed(d.keysOnly(d.revokeKey))))
	factors.Endpoints{Factors: d.Factors, Limit: d.Limit}.Mount(mux, "/api/v2/factors", func(fn httpjson.Handler) http.Handler { return h(d.authed(fn)) })
}

// authed admits an access token or a permanent API key (Bearer or
// X-API-Key) whose scopes include this door.
func (d *Door) authed(next httpjson.Handler) httpjson.Handler {
	return httpjson.Authed(d.Identity, door, next)
}

// keysOnly guards API key management: a key may manage keys only when it
// has the "keys" scope or no scopes, so a narrow key cannot mint a wide one.
func (d *Door) keysOnly(next httpjson.Handler) httpjson.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !principal(r).Allows("keys") {
			return core.ErrScope
		}
		return next(w, r)
	}
}

func principal(r *http.Request) identity.Principal { return httpjson.PrincipalOf(r) }

// userCaller binds an Idempotency-Key to the signed-in user.
func userCaller(r *http.Request) string { return "user:" + strconv.FormatInt(principal(r).User.ID, 10) }
