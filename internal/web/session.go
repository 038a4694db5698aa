package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// sessionCookie holds the web session's secret: the first refresh token of
// a core session of door "web" (identity.SessionBySecret), which no door
// refreshes. It lives as long as the session (GATEHOUSE_REFRESH_TTL) but
// is a browser-session cookie: closing the browser forgets it.
const sessionCookie = "session"

// principalKey keeps the principal a request's cookie named, once looked up.
type principalKey struct{}

type principalMemo struct {
	p  identity.Principal
	ok bool
}

// principal is the user signed in with this request's session cookie, looked
// up once per request (withPrincipal).
func (p *Pages) principal(r *http.Request) (identity.Principal, bool) {
	if m, ok := r.Context().Value(principalKey{}).(*principalMemo); ok {
		return m.p, m.ok
	}
	return p.lookup(r)
}

func (p *Pages) lookup(r *http.Request) (identity.Principal, bool) {
	secret := p.cookie(r, sessionCookie)
	if secret == "" {
		return identity.Principal{}, false
	}
	pr, err := p.Identity.SessionBySecret(r.Context(), identity.WebDoor, secret)
	if err != nil {
		if !errors.Is(err, core.ErrInvalidToken) && !errors.Is(err, core.ErrAccountLocked) {
			p.Log.WarnContext(r.Context(), "web session look-up failed", "err", err)
		}
		return identity.Principal{}, false
	}
	return pr, true
}

// withPrincipal looks the session up once and keeps it in the request.
func (p *Pages) withPrincipal(r *http.Request) *http.Request {
	pr, ok := p.lookup(r)
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, &principalMemo{p: pr, ok: ok}))
}

// startSession keeps the pair's session in the browser: its refresh token is
// the cookie's secret.
func (p *Pages) startSession(w http.ResponseWriter, pair identity.TokenPair) {
	p.setCookie(w, sessionCookie, pair.Refresh, 0)
}

// spec is the core session a sign-in through the pages opens.
func spec(r *http.Request) identity.SessionSpec {
	return identity.SessionSpec{Door: identity.WebDoor, UserAgent: r.UserAgent(), IP: core.CallerOf(r.Context()).IP,
		AMR: []string{"pwd"}}
}
