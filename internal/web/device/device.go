// Package device is the verification page of the device authorization
// grant (RFC 8628 §3.3), an area of the hosted pages (internal/web) at
// /device: the person signs in through the hosted sign-in page (which
// continues here), types the user code a device shows (or arrives with it
// from verification_uri_complete, prefilled and never approved without
// them), sees the client's name and the scopes, and approves or denies.
// It is a door: each form makes one call of the oauth domain
// (PendingDevice, DecideDevice) and never touches the store. Every code
// typed counts against the user_code rate limit (RFC 8628 §5.1).
// docs/oidc.md "Device flow" describes it.
package device

import (
	"embed"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web"
)

// files are the page's templates and its catalogues (area "device").
//
//go:embed templates locales
var files embed.FS

// Path is the verification page (the door's verification_uri).
const Path = "/device"

// Verification is the page's dependencies beyond the pages' own; build
// it as a struct literal and hand Area to web.New.
type Verification struct {
	OAuth *oauth.Service
}

// Area is the verification page as an area of the hosted pages.
func (v Verification) Area() web.Area {
	return web.Area{Name: "device", Files: files, Mount: func(p *web.Pages, mux *http.ServeMux) {
		x := &pages{p: p, oauth: v.OAuth}
		p.Handle(mux, "GET "+Path, p.RequireSignIn(x.form))
		p.Handle(mux, "POST "+Path, x.signedIn(x.lookUp))
		p.Handle(mux, "POST "+Path+"/decide", x.signedIn(x.decide))
		p.Handle(mux, "GET "+Path+"/done", p.RequireSignIn(x.done))
	}}
}

type pages struct {
	p     *web.Pages
	oauth *oauth.Service
}

// codeView is the code form's data; confirmView the question's.
type codeView struct{ Code string }

type confirmView struct {
	Code   string // XXXX-XXXX
	Client string // the client's name (its id when it has none)
	Scopes []string
}

// signedIn runs a form's handler for a signed-in person; a form sent after
// the session ended goes to the sign-in, which continues to the code form
// (a POST cannot be continued).
func (x *pages) signedIn(h web.Handler) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, ok := x.p.SignedIn(r); !ok {
			http.Redirect(w, r, "/login?"+url.Values{"continue": {Path}}.Encode(), http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	}
}

// form is the code form, prefilled with ?user_code= (RFC 8628 §3.3.1's
// verification_uri_complete): the person still presses Continue, then
// Approve, so a link alone approves nothing.
func (x *pages) form(w http.ResponseWriter, r *http.Request) error {
	code := r.URL.Query().Get("user_code")
	if len(code) > 64 || !core.IsText(code) {
		code = ""
	}
	x.p.Render(w, r, web.Page{Name: "device", Data: codeView{Code: code}})
	return nil
}

// lookUp finds the pending request of the typed code and asks the person.
func (x *pages) lookUp(w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("code")
	if err := x.limit(r); err != nil {
		return x.refuse(w, r, code, err)
	}
	req, err := x.oauth.PendingDevice(r.Context(), code)
	if err != nil {
		return x.refuse(w, r, code, err)
	}
	name := req.Client.Name
	if name == "" {
		name = req.Client.ID
	}
	var scopes []string
	for _, sc := range req.Scope {
		if slices.Contains(oauth.Scopes(), sc) {
			scopes = append(scopes, web.ScopeMessage(sc))
		}
	}
	x.p.Render(w, r, web.Page{Name: "device_confirm", Data: confirmView{Code: req.UserCode,
		Client: core.DisplayText(name, 120), Scopes: scopes}})
	return nil
}

// decide records Approve or Deny (the button pressed) for the code.
func (x *pages) decide(w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("code")
	approve := r.PostFormValue("decision") == "approve"
	if !approve && r.PostFormValue("decision") != "deny" {
		return x.refuse(w, r, code, core.Invalid("invalid_form", "decision", "decision must be approve or deny"))
	}
	if err := x.limit(r); err != nil {
		return x.refuse(w, r, code, err)
	}
	l, _ := x.p.SignedIn(r)
	err := x.oauth.DecideDevice(r.Context(), code, oauth.Login{AccountID: l.AccountID, SessionID: l.SessionID,
		AuthTime: l.AuthTime, AMR: l.AMR, ACR: l.ACR, UserAgent: r.UserAgent(), IP: core.CallerOf(r.Context()).IP}, approve)
	if err != nil {
		return x.refuse(w, r, code, err)
	}
	result := "denied"
	if approve {
		result = "approved"
	}
	http.Redirect(w, r, Path+"/done?result="+result, http.StatusSeeOther)
	return nil
}

// done tells the person what they answered (POST, then 303 here: a
// reload sends nothing again).
func (x *pages) done(w http.ResponseWriter, r *http.Request) error {
	result := r.URL.Query().Get("result")
	if result != "approved" && result != "denied" {
		http.Redirect(w, r, Path, http.StatusSeeOther)
		return nil
	}
	x.p.Render(w, r, web.Page{Name: "device_done", Data: result})
	return nil
}

// limit counts a typed code per address and per account (the user_code
// endpoint's limits).
func (x *pages) limit(r *http.Request) error {
	if x.p.Limit == nil {
		return nil
	}
	l, _ := x.p.SignedIn(r)
	return x.p.Limit(r, core.EndpointUserCode, l.AccountID)
}

// refuse shows the code form again with the error next to the code. An
// untyped error fails the request (a 500).
func (x *pages) refuse(w http.ResponseWriter, r *http.Request, code string, err error) error {
	errs, status, ok := x.p.FormError(w, err, "code")
	if !ok {
		return err
	}
	if errors.Is(err, core.ErrUserCode) {
		errs, status = map[string]string{"code": "device.error.unknown"}, http.StatusBadRequest
	}
	if len(code) > 64 || !core.IsText(code) {
		code = ""
	}
	x.p.Render(w, r, web.Page{Name: "device", Status: status, Errors: errs, Data: codeView{Code: code}})
	return nil
}
