package oauth

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// ClientAuth is how a request to the token, introspection or revocation
// endpoint authenticated its client, as the door read it.
type ClientAuth struct {
	// Method is the one the request used: client_secret_basic (an
	// Authorization: Basic header, RFC 6749 §2.3.1), client_secret_post
	// (client_secret in the form), private_key_jwt (client_assertion in
	// the form, RFC 7523 §2.2), none (client_id alone).
	Method    string
	ID        string // client_id; for private_key_jwt optional (the assertion's sub names it)
	Secret    string
	Malformed bool // Basic credentials that do not decode, or a client named twice

	// Assertion and AssertionType are client_assertion and
	// client_assertion_type (RFC 7521 §4.2) of private_key_jwt.
	Assertion, AssertionType string
	// Endpoint is the path the request came to (/oauth2/token,
	// /oauth2/introspect, …): an assertion's aud may be its URL.
	Endpoint string
}

// AuthenticateClient is the standard door's client authentication: the
// client must use the method it registered (a client registered before
// the door, with a secret, may use either secret method), and the bank
// domain checks the secret in constant time (bank.AuthenticateClient); a
// private_key_jwt client's assertion is verified against its registered
// jwks (authenticateAssertion, assertion.go), and such a client has no
// secret to present. Every failure is core.ErrInvalidClient. This is the
// one function every endpoint that authenticates clients calls.
func (s *Service) AuthenticateClient(ctx context.Context, a ClientAuth) (bank.Client, error) {
	if a.Malformed {
		return bank.Client{}, core.ErrInvalidClient
	}
	if a.Method == bank.AuthPrivateKeyJWT {
		return s.authenticateAssertion(ctx, a)
	}
	c, err := s.Bank.AuthenticateClient(ctx, bank.ClientAuth{Named: a.ID, ID: a.ID, Secret: a.Secret})
	if err != nil {
		return bank.Client{}, err
	}
	m := c.Method()
	switch {
	case m == a.Method:
	case c.AuthMethod == "" && m == bank.AuthSecretBasic && a.Method == bank.AuthSecretPost:
	default:
		return bank.Client{}, core.ErrInvalidClient
	}
	return c, nil
}
