// Package signout is the OpenID door's RP-initiated logout (OpenID Connect
// RP-Initiated Logout 1.0) as an area of the hosted pages: the endpoint
// /oauth2/logout, the page asking the person to confirm, and the
// signed-out page. It ends what the browser's sign-in holds through the
// oauth domain's one call (oauth.Service.EndLogout): the web session of
// the hosted pages, and the grants of the relying party that asked,
// opened from that sign-in. docs/oidc.md "RP-initiated logout" says what
// ends and what stays.
package signout

import (
	"embed"
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web"
)

//go:embed templates locales
var files embed.FS

// Paths of the area: the endpoint discovery names (end_session_endpoint),
// the confirmation form's target, and the signed-out page.
const (
	EndSessionPath = "/oauth2/logout"
	confirmPath    = "/oauth2/logout/confirm"
	donePath       = "/oauth2/logout/done"
)

// SignOut serves RP-initiated logout: a struct of exactly its dependencies.
type SignOut struct {
	OAuth *oauth.Service
}

// Area is the logout pages as an area of the hosted pages.
func (s *SignOut) Area() web.Area {
	return web.Area{Name: "signout", Files: files, Mount: s.mount}
}

func (s *SignOut) mount(p *web.Pages, mux *http.ServeMux) {
	get := p.Wrap(func(w http.ResponseWriter, r *http.Request) error { return s.logout(w, r, p) })
	mux.Handle("GET "+EndSessionPath, get)
	// A relying party may POST its request (RP-Initiated Logout §2), a
	// cross-site form that carries no CSRF token: it is read as the same
	// request by GET, which changes nothing without a verified hint of
	// this browser's own sign-in, and otherwise asks for confirmation.
	mux.Handle("POST "+EndSessionPath, asGet(get, p.Wrap(func(w http.ResponseWriter, r *http.Request) error {
		p.Render(w, r, web.Page{Name: "signout_error", Status: http.StatusBadRequest, Data: "signout.error.request"})
		return nil
	})))
	p.Handle(mux, "POST "+confirmPath, func(w http.ResponseWriter, r *http.Request) error { return s.confirm(w, r, p) })
	p.Handle(mux, "GET "+donePath, func(w http.ResponseWriter, r *http.Request) error {
		p.Render(w, web.PreferLanguages(r, r.URL.Query().Get("ui_locales")), web.Page{Name: "signout_done"})
		return nil
	})
}

// maxForm caps a relying party's POSTed request: an id_token and a few
// short parameters.
const maxForm = 16 << 10

// asGet serves a POSTed form (application/x-www-form-urlencoded) as the
// GET request with that query; a form that does not parse, or is larger
// than maxForm, gets bad (as a GET, which changes nothing).
func asGet(h, bad http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		next := h
		if err := r.ParseForm(); err != nil {
			next, r.Form = bad, nil
		}
		g := r.Clone(r.Context())
		g.Method, g.Body, g.ContentLength = http.MethodGet, http.NoBody, 0
		g.Header.Del("Content-Type")
		u := *r.URL
		u.RawQuery = r.Form.Encode() // the body's parameters with the query's; none when bad
		g.URL, g.Form, g.PostForm = &u, nil, nil
		next.ServeHTTP(w, g)
	})
}

// params reads the request's parameters (§2). ui_locales, the relying
// party's choice of language, is applied to r by the handlers
// (web.PreferLanguages).
func params(v url.Values) oauth.LogoutRequest {
	return oauth.LogoutRequest{IDTokenHint: v.Get("id_token_hint"), ClientID: v.Get("client_id"),
		PostLogoutRedirectURI: v.Get("post_logout_redirect_uri"), State: v.Get("state")}
}

// confirmView is the confirmation page's data: the request, carried by
// the form's hidden fields, and the client's name.
type confirmView struct {
	Req        oauth.LogoutRequest
	ClientName string
	UILocales  string
}

// logout is the end_session_endpoint (§2, §3). A verified id_token_hint
// of the browser's own sign-in (its sid is the web session's), or a
// browser with no sign-in to end, is done at once; any other request is
// asked to be confirmed on a page (§2 "the OP SHOULD ask the End-User"),
// so that no third party can sign a person out by a link or an image.
func (s *SignOut) logout(w http.ResponseWriter, r *http.Request, p *web.Pages) error {
	q := r.URL.Query()
	r = web.PreferLanguages(r, q.Get("ui_locales"))
	req := params(q)
	l, err := s.OAuth.CheckLogout(r.Context(), req)
	if err != nil {
		return s.refuse(w, r, p, err)
	}
	pr, signedIn := p.Principal(r)
	if signedIn && !(l.Hinted && l.SessionID == pr.Session.ID) {
		name := l.Client.Name
		if name == "" {
			name = l.Client.ID
		}
		p.Render(w, r, web.Page{Name: "signout_confirm", Data: confirmView{Req: req, ClientName: name, UILocales: q.Get("ui_locales")}})
		return nil
	}
	return s.end(w, r, p, l)
}

// confirm is the confirmation form's POST (CSRF-checked by the pages): the
// request is judged again, then done.
func (s *SignOut) confirm(w http.ResponseWriter, r *http.Request, p *web.Pages) error {
	r = web.PreferLanguages(r, r.PostForm.Get("ui_locales"))
	l, err := s.OAuth.CheckLogout(r.Context(), params(r.PostForm))
	if err != nil {
		return s.refuse(w, r, p, err)
	}
	return s.end(w, r, p, l)
}

// end signs the browser out (EndLogout), forgets its cookie, and goes to
// the registered post_logout_redirect_uri with state (§3), or to the
// signed-out page.
func (s *SignOut) end(w http.ResponseWriter, r *http.Request, p *web.Pages, l oauth.Logout) error {
	var userID int64
	sid := ""
	if pr, ok := p.Principal(r); ok {
		userID, sid = pr.User.ID, pr.Session.ID
	}
	if err := s.OAuth.EndLogout(r.Context(), l, userID, sid); err != nil {
		return err
	}
	p.ForgetSession(w)
	if l.RedirectURI == "" {
		// The signed-out page keeps the relying party's language: the
		// account's locale went with the session.
		done := donePath
		if ui := r.FormValue("ui_locales"); ui != "" && len(ui) <= 256 {
			done += "?" + url.Values{"ui_locales": {ui}}.Encode()
		}
		http.Redirect(w, r, done, http.StatusSeeOther)
		return nil
	}
	u, err := url.Parse(l.RedirectURI)
	if err != nil { // registered URIs parse (bank.Metadata); never redirect blindly
		return err
	}
	v := u.Query()
	if l.State != "" {
		v.Set("state", l.State)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

// refuse shows a refused request on a page, never a redirect (§3: no
// redirection to a URI that is not registered, nor for a client that is
// not known).
func (s *SignOut) refuse(w http.ResponseWriter, r *http.Request, p *web.Pages, err error) error {
	msg, status := "signout.error.request", http.StatusBadRequest
	switch {
	case errors.Is(err, core.ErrRedirectURI):
		msg = "signout.error.redirect_uri"
	case errors.Is(err, core.ErrInvalidClient):
		msg = "signout.error.client"
	case errors.Is(err, core.ErrInvalidToken):
		msg = "signout.error.hint"
	case core.KindOf(err) != core.KindInvalid:
		return err // the pages' own mapping: unavailable, internal
	}
	p.Render(w, r, web.Page{Name: "signout_error", Status: status, Data: msg})
	return nil
}
