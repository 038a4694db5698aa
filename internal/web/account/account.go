// Package account is the personal cabinet (/account), an area of the
// hosted pages (internal/web): the owner's profile, password, e-mail
// confirmation, blockchain addresses, API keys, sessions and trusted
// devices, authenticator app and recovery codes, the applications it
// consented to (OpenID clients), cashier data and shifts. It is a door:
// every page makes the same core call as the JSON doors (identity,
// identity.Factors, oauth, cashdesk) and never touches the store; the
// pages' foundation gives it the session, the CSRF check, the layout and
// the one mapping of errors to pages. docs/pages.md "The cabinet"
// describes it.
package account

import (
	"embed"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web"
)

// files are the cabinet's templates and its catalogues (area "account").
//
//go:embed templates locales
var files embed.FS

// Cabinet is the cabinet's dependencies beyond the pages' own; build it
// as a struct literal and hand Area to web.New.
type Cabinet struct {
	Cashdesk *cashdesk.Service
	// OAuth lists and revokes the owner's consents to OpenID clients
	// (applications.go).
	OAuth *oauth.Service
}

// Area is the cabinet as an area of the hosted pages.
func (c Cabinet) Area() web.Area {
	return web.Area{Name: "account", Files: files, Mount: func(p *web.Pages, mux *http.ServeMux) {
		(&pages{p: p, cash: c.Cashdesk, oauth: c.OAuth}).mount(mux)
	}}
}

// pages serves the cabinet over the mounted foundation.
type pages struct {
	p     *web.Pages
	cash  *cashdesk.Service
	oauth *oauth.Service
}

// signedInHandler is a cabinet page: it runs only for a signed-in owner,
// whose principal it is given.
type signedInHandler func(w http.ResponseWriter, r *http.Request, pr identity.Principal) error

func (x *pages) mount(mux *http.ServeMux) {
	h := func(pattern string, fn signedInHandler) {
		x.p.Handle(mux, pattern, x.p.RequireSignIn(func(w http.ResponseWriter, r *http.Request) error {
			pr, ok := x.p.Principal(r)
			if !ok { // RequireSignIn let it through: the session ended meanwhile
				return core.ErrUnauthenticated
			}
			return fn(w, r, pr)
		}))
	}
	h("GET /account", x.overview)
	h("POST /account/profile", x.saveProfile)
	h("POST /account/email/resend", x.resend)
	h("POST /account/password", x.changePassword)
	h("GET /account/addresses", x.addresses)
	h("POST /account/addresses", x.addAddress)
	h("POST /account/addresses/{id}/remove", x.removeAddress)
	h("GET /account/keys", x.keys)
	h("POST /account/keys", x.createKey)
	h("POST /account/keys/{id}/revoke", x.revokeKey)
	h("GET /account/sessions", x.sessions)
	h("POST /account/sessions/{id}/revoke", x.revokeSession)
	h("POST /account/sessions/others/revoke", x.revokeOthers)
	h("POST /account/devices/{id}/revoke", x.revokeDevice)
	h("GET /account/factors", x.factors)
	h("POST /account/factors/totp", x.beginTOTP)
	h("POST /account/factors/totp/confirm", x.confirmTOTP)
	h("POST /account/factors/totp/remove", x.removeTOTP)
	h("GET /account/applications", x.applications)
	h("POST /account/applications/revoke", x.revokeApplication)
	h("GET /account/cashier", x.cashier)
	h("POST /account/cashier", x.saveCashier)
	h("POST /account/cashier/certificate", x.uploadCertificate)
	h("POST /account/cashier/certificate/remove", x.removeCertificate)
	h("GET /account/shifts", x.shifts)
}

// section is one entry of the cabinet's navigation.
type section struct{ Path, Label string }

var sections = []section{
	{"/account", "account.nav.profile"}, {"/account/addresses", "account.nav.addresses"},
	{"/account/keys", "account.nav.keys"}, {"/account/sessions", "account.nav.sessions"},
	{"/account/factors", "account.nav.factors"}, {"/account/applications", "account.nav.applications"},
	{"/account/cashier", "account.nav.cashier"},
	{"/account/shifts", "account.nav.shifts"},
}

// view is what every cabinet page gives its template: the navigation
// and the page's own data.
type view struct {
	Nav     []section
	Current string
	Page    any
}

// render shows a cabinet page (templates/<name>.html) with status (0: 200),
// field errors (field → message id) and a notice.
func (x *pages) render(w http.ResponseWriter, r *http.Request, name string, status int, errs map[string]string, data any) {
	x.p.Render(w, r, web.Page{Name: name, Status: status, Errors: errs, Notice: notice(r),
		Data: view{Nav: sections, Current: r.URL.Path, Page: data}})
}

// done redirects after a change (POST, then 303 to a page: a reload
// sends nothing again) with a notice the next page shows.
func done(w http.ResponseWriter, r *http.Request, path, what string) error {
	http.Redirect(w, r, path+"?done="+what, http.StatusSeeOther)
	return nil
}

// notices are the ?done= values a page shows, each a catalogue id: only
// these, so a link cannot make a page say anything else.
var notices = []string{"profile", "password", "resent", "address", "revoked", "others", "device", "totp_removed", "cashier", "certificate", "certificate_removed",
	"consent_revoked", "address_removed"}

func notice(r *http.Request) string {
	if d := r.URL.Query().Get("done"); slices.Contains(notices, d) {
		return "account.done." + d
	}
	return ""
}

// formError is the answer of a form to a domain error: its message next
// to the form field that fields maps the error's own field to (the
// core's names: name, expires_at, edrpou, …), else next to def. ok is
// false for an untyped error, which fails the request (a 500).
func (x *pages) formError(w http.ResponseWriter, err error, def string, fields map[string]string) (map[string]string, int, bool) {
	errs, code, ok := x.p.FormError(w, err, def)
	if !ok {
		return nil, 0, false
	}
	field := def
	var e *core.Error
	if errors.As(err, &e) && fields[e.Field] != "" {
		field = fields[e.Field]
	}
	return map[string]string{field: first(errs)}, code, true
}

// same maps each core field to the form field of the same name.
func same(names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = n
	}
	return m
}

// first is the one message of a form's errors.
func first(errs map[string]string) string {
	for _, m := range errs {
		return m
	}
	return ""
}

// password is an encrypted password field of a form (its ciphertext in
// field, sealed in the browser with the credential key, assets/pages.js):
// "" when the field was left empty; errNoScript when no ciphertext came;
// a wrong password's error when it does not open (a replay included), so
// that a forged field learns nothing more than a wrong password would.
func (x *pages) password(r *http.Request, field string) (string, error) {
	enc := r.PostFormValue(field)
	if enc == "" {
		return "", web.ErrNoScript
	}
	pw, ok, err := x.p.Credentials.OpenPassword(r.Context(), enc)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", core.ErrInvalidCredentials
	}
	return pw, nil
}

// limit counts a re-entered password of the owner under the login's
// rate limit of the address, as the JSON doors count a password change
// or a factor enrolment (door/factors): it is guessed like a sign-in.
func (x *pages) limit(r *http.Request, pr identity.Principal) error {
	if x.p.Limit == nil {
		return nil
	}
	return x.p.Limit(r, core.EndpointLogin, pr.User.Email)
}

// when formats an instant for the pages: UTC, to the minute.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// whenPtr is when, or "" for nil.
func whenPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return when(*t)
}
