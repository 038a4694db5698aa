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
	// (client_secret in the form), none (client_id alone).
	Method    string
	ID        string
	Secret    string
	Malformed bool // Basic credentials that do not decode, or a client named twice
}

// AuthenticateClient is the standard door's client authentication: the
// client must use the method it registered (a client registered before
// the door, with a secret, may use either secret method), and the bank
// domain checks the secret in constant time (bank.AuthenticateClient).
// Every failure is core.ErrInvalidClient. A client registered for
// private_key_jwt cannot authenticate here yet (docs/oidc.md).
func (s *Service) AuthenticateClient(ctx context.Context, a ClientAuth) (bank.Client, error) {
	if a.Malformed {
		return bank.Client{}, core.ErrInvalidClient
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
