package httpjson

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Credential returns what the request presents to authenticate: the token
// of "Authorization: Bearer …", else the value of "X-API-Key". The adapters
// have refused a request with more than one (OneCredential).
func Credential(r *http.Request) string {
	if tok := Bearer(r); tok != "" {
		return tok
	}
	return r.Header.Get("X-API-Key")
}

// OneCredential refuses (ErrAmbiguousCredentials) a request that presents
// more than one credential: two or more Authorization lines, two or more
// X-API-Key lines, or both headers naming different credentials. Which of
// two would count depends on who reads them (Header.Get takes the first, a
// proxy or a framework may keep the last), so an admin request carrying a
// user's token and the admin token would be judged by an accident of
// reading order. RFC 9110 §5.3: a field that is not a list is sent once,
// and Authorization (§11.6.2) carries one credential. Every door's adapter
// calls it before the handler, so no token is looked at. The names index
// the map in their canonical form: net/http canonicalises every name it
// reads, and Values would only canonicalise the constant again on every
// request (issue 13, item 6).
func OneCredential(r *http.Request) error {
	auth, keys := r.Header["Authorization"], r.Header["X-Api-Key"]
	if len(auth) > 1 || len(keys) > 1 || len(auth) == 1 && len(keys) == 1 && Bearer(r) != keys[0] {
		return core.ErrAmbiguousCredentials
	}
	return nil
}

type principalKey struct{}

// Authed wraps next so that it runs only for a full (not pending),
// first-party access token or a permanent API key whose scopes include
// scope; the principal is in the request's context for PrincipalOf. One
// rule for every door that accepts both kinds of credential; a token
// minted for another service is refused (core.ErrForeignToken).
func Authed(svc *identity.Service, scope string, next Handler) Handler {
	return authed(svc, scope, identity.VerifyOptions{}, next)
}

// OwnSession is Authed for a logout: it also admits a token minted for
// another service, whose one power here is to end its own session.
func OwnSession(svc *identity.Service, scope string, next Handler) Handler {
	return authed(svc, scope, identity.VerifyOptions{AnyAudience: true}, next)
}

func authed(svc *identity.Service, scope string, opt identity.VerifyOptions, next Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		tok := Credential(r)
		if tok == "" {
			return core.ErrUnauthenticated
		}
		p, err := svc.VerifyBearer(r.Context(), tok, opt)
		if err != nil {
			return err
		}
		if !p.Allows(scope) {
			return core.ErrScope
		}
		return next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// PrincipalOf returns the principal Authed admitted.
func PrincipalOf(r *http.Request) identity.Principal {
	return r.Context().Value(principalKey{}).(identity.Principal)
}
