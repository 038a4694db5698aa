package httpjson

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Credential returns what the request presents to authenticate: the token
// of "Authorization: Bearer …", else the value of "X-API-Key".
func Credential(r *http.Request) string {
	if tok := Bearer(r); tok != "" {
		return tok
	}
	return r.Header.Get("X-API-Key")
}

type principalKey struct{}

// Authed wraps next so that it runs only for a full (not pending) access
// token or a permanent API key whose scopes include scope; the principal
// is in the request's context for PrincipalOf. One rule for every door
// that accepts both kinds of credential.
func Authed(svc *core.Service, scope string, next Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		tok := Credential(r)
		if tok == "" {
			return core.ErrUnauthenticated
		}
		p, err := svc.VerifyBearer(r.Context(), tok, core.VerifyOptions{})
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
func PrincipalOf(r *http.Request) core.Principal {
	return r.Context().Value(principalKey{}).(core.Principal)
}
