package web

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// What an area built in another package needs of the pages beyond Handle,
// RequireSignIn and Render: the signed-in principal, the mapping of an
// error to a form's field, and the credential key its password fields
// encrypt with.

// ErrNoScript refuses a password form that arrived without its ciphertext
// (the browser ran no script).
var ErrNoScript = errNoScript

// Principal is the owner signed in with this request's session cookie:
// the core's principal, whose session a core call judges (a password
// change keeps it, a key needs it recent).
func (p *Pages) Principal(r *http.Request) (identity.Principal, bool) { return p.principal(r) }

// FormError is the answer of a form to a domain error: the message id
// next to field (or the error's own field, when the pages know it) and
// the status; ok is false for an untyped error, which the area returns to
// fail the request.
func (p *Pages) FormError(w http.ResponseWriter, err error, field string) (map[string]string, int, bool) {
	return p.formError(w, err, field)
}

// CredentialKey is the credential key as WebCrypto imports it (base64
// SPKI DER), for a form's data-key.
func (p *Pages) CredentialKey() string { return p.credentialKey() }

// ForgetSession deletes the browser's session cookie, once an area has
// ended its session through the core (the OpenID door's RP-initiated
// logout).
func (p *Pages) ForgetSession(w http.ResponseWriter) { p.clearCookie(w, sessionCookie) }
