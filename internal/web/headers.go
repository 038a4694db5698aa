package web

import (
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy is every page's CSP (CSP Level 3): nothing but this
// server's own stylesheet, scripts and images (and data: images, the QR
// code of a TOTP enrolment), no inline script or style, no framing, no
// <base>. form-action is left out on purpose: browsers apply it to the
// redirects after a form's POST, and a sign-in continuing an OpenID
// authorization ends at the client's redirect URI, on another origin.
func contentSecurityPolicy(logoURL string) string {
	img := "'self' data:"
	if u, err := url.Parse(logoURL); err == nil && u.Host != "" {
		img += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src " + img,
		"connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
	}, "; ")
}

// pageHeaders are the headers of every page: the CSP, frame denial
// (RFC 7034, for browsers without frame-ancestors), no referrer (a page URL
// never leaks to another site), and no-store: pages carry CSRF tokens,
// personal data and, once, secrets, and none belongs in a shared or
// back-button cache.
func (p *Pages) pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// Handler is a page's handler: it renders or redirects, or returns an
// error that the area's one mapping (errors.go) turns into a page.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Handle mounts a page on mux under pattern: the security headers, a
// refusal of cross-origin unsafe requests (http.CrossOriginProtection:
// Sec-Fetch-Site, then Origin against Host), the CSRF token of every POST
// (csrf.go), the session looked up once, and the error mapping. Every
// area mounts its pages through it.
func (p *Pages) Handle(mux *http.ServeMux, pattern string, h Handler) {
	mux.Handle(pattern, p.Wrap(h))
}

// Wrap is Handle's handler without a mux: for a page another door serves
// on a path of its own (the confirmation link of the platform door).
func (p *Pages) Wrap(h Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, errCSRF)
	})
	cop.SetDenyHandler(refuse)
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.pageHeaders(w)
		r = p.withPrincipal(r)
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				p.fail(w, r, errBadForm)
				return
			}
			if !p.csrfValid(r) {
				p.fail(w, r, errCSRF)
				return
			}
		}
		if err := h(w, r); err != nil {
			p.fail(w, r, err)
		}
	}))
}
