package web

import (
	"net/http"
	"net/url"
)

// requireSignIn is the signed-in principal's page, or a 303 to the sign-in
// that comes back here (false: the redirect is written).
func (p *Pages) requireSignIn(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := p.principal(r); ok {
		return true
	}
	http.Redirect(w, r, "/login?continue="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	return false
}

// RequireSignIn wraps an area's page: an anonymous visitor is sent to sign
// in and brought back.
func (p *Pages) RequireSignIn(h Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !p.requireSignIn(w, r) {
			return nil
		}
		return h(w, r)
	}
}

// logout ends the browser's web session (audited by the core) and forgets
// its cookie. Signed out already, it just goes to the sign-in page.
func (p *Pages) logout(w http.ResponseWriter, r *http.Request) error {
	if pr, ok := p.principal(r); ok {
		if err := p.Identity.Logout(r.Context(), pr.Session.ID); err != nil {
			return err
		}
	}
	p.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
	return nil
}
