package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// CSRF protection is OWASP's signed double-submit cookie, bound to the
// session: a random value in an HttpOnly cookie, and in every form a token
// that is that value and the web session's id sealed with the master key
// (AES-GCM, core.Sealer), so that no one without the key can make a token
// that matches a cookie, and a token made before a sign-in or for another
// session does not pass. Every node holds the key, so any node checks any
// token. Go's http.CrossOriginProtection (Sec-Fetch-Site and Origin) runs
// first as a second layer (headers.go).

const csrfCookie = "csrf"

// csrfField is the forms' hidden field.
const csrfField = "csrf"

// csrfSeed is the browser's CSRF cookie, made and set when absent.
func (p *Pages) csrfSeed(w http.ResponseWriter, r *http.Request) string {
	if v := p.cookie(r, csrfCookie); len(v) == 43 {
		return v
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	v := base64.RawURLEncoding.EncodeToString(b)
	p.setCookie(w, csrfCookie, v, 0)
	// Later reads in this request (the form rendered now) see it.
	r.AddCookie(&http.Cookie{Name: p.cookieName(csrfCookie), Value: v})
	return v
}

func csrfPlain(seed, sid string) []byte { return []byte("csrf\x00" + seed + "\x00" + sid) }

// csrfToken is the token of this request's forms.
func (p *Pages) csrfToken(w http.ResponseWriter, r *http.Request) string {
	seed := p.csrfSeed(w, r)
	sid := ""
	if pr, ok := p.principal(r); ok {
		sid = pr.Session.ID
	}
	sealed, err := p.Sealer.Seal(csrfPlain(seed, sid))
	if err != nil {
		return "" // a form without a token is refused when sent: fails closed
	}
	return base64.RawURLEncoding.EncodeToString(sealed)
}

// csrfValid reports whether a form's token matches the browser's cookie and
// the current session.
func (p *Pages) csrfValid(r *http.Request) bool {
	seed := p.cookie(r, csrfCookie)
	tok := r.PostFormValue(csrfField)
	if seed == "" || tok == "" || len(tok) > 512 {
		return false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return false
	}
	plain, err := p.Sealer.Open(sealed)
	if err != nil {
		return false
	}
	sid := ""
	if pr, ok := p.principal(r); ok {
		sid = pr.Session.ID
	}
	return subtle.ConstantTimeCompare(plain, csrfPlain(seed, sid)) == 1
}
