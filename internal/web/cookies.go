package web

import (
	"net/http"
)

// The pages' cookies: every one HttpOnly and SameSite=Lax (RFC 6265bis
// §8.8: sent on top-level navigations, not on cross-site subrequests or
// form POSTs), Path=/, and over https Secure with the __Host- prefix
// (RFC 6265bis §4.1.3.2: only this host, never set by a sibling domain
// or over plain HTTP).

// cookieName is a cookie's name as sent: __Host-gh_<name> over https,
// gh_<name> otherwise.
func (p *Pages) cookieName(name string) string {
	if p.secure {
		return "__Host-gh_" + name
	}
	return "gh_" + name
}

// setCookie sets a page cookie for maxAge seconds (0: the browser's
// session; negative: delete it).
func (p *Pages) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: p.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie deletes a page cookie.
func (p *Pages) clearCookie(w http.ResponseWriter, name string) { p.setCookie(w, name, "", -1) }

// cookie is the value of a page cookie, "" when absent.
func (p *Pages) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(p.cookieName(name))
	if err != nil || len(c.Value) > 512 {
		return ""
	}
	return c.Value
}
