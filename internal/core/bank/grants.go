package bank

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The token endpoint's grants other than step 1 (SignIn), and the step
// token of the later steps: each is one call of the door, which parsed the
// wire, and each limits and authenticates the client the same way.

// RefreshGrant is grant_type=refresh_token: the client's requests are
// limited, the client authenticated, and the refresh token spent (Refresh:
// rotation and reuse detection as on every door).
func (b *Service) RefreshGrant(ctx context.Context, a ClientAuth, token, fingerprint string) (Login, error) {
	c, err := b.limitedClient(ctx, core.EndpointBankRefresh, a)
	if err != nil {
		return Login{}, err
	}
	if token == "" {
		return Login{}, errInvalidRequest("refresh_token is required")
	}
	return b.Refresh(ctx, c, token, fingerprint)
}

// Revoke is RFC 7009 token revocation by an authenticated client; unknown
// tokens and those of other clients change nothing (RevokeToken).
func (b *Service) Revoke(ctx context.Context, a ClientAuth, token string) error {
	c, err := b.limitedClient(ctx, core.EndpointBankRevoke, a)
	if err != nil {
		return err
	}
	return b.RevokeToken(ctx, c, token)
}

// limitedClient counts the request against e's limits per the client it
// names (before the client is authenticated: the limit guards that work
// too), then authenticates the client.
func (b *Service) limitedClient(ctx context.Context, e core.Endpoint, a ClientAuth) (Client, error) {
	if err := b.Limit.Check(core.WithClient(ctx, a.Named), e, ""); err != nil {
		return Client{}, err
	}
	return b.AuthenticateClient(ctx, a)
}

// Step is a verified step token of the later steps and its client.
type Step struct {
	Principal identity.Principal
	Client    Client
}

// TokenError marks a refusal of the step token itself (RFC 6750 §3.1
// invalid_token), as opposed to one of the client or of the step.
type TokenError struct{ Err error }

func (e *TokenError) Error() string { return "step token: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// Step verifies the bearer token of steps 2 and 3 and of the endpoints
// behind a sign-in (a pending chain only when allowPending) and finds its
// client: a bank session's, authenticated again when confidential (a.ID
// must name it and a.Secret be its secret), and allowing a.Origin.
func (b *Service) Step(ctx context.Context, token string, a ClientAuth, allowPending bool) (Step, error) {
	if token == "" {
		return Step{}, &TokenError{core.ErrUnauthenticated}
	}
	p, err := b.Identity.VerifyAccess(ctx, token, identity.VerifyOptions{AllowPending: allowPending})
	if err != nil {
		if core.KindOf(err) == core.KindUnauthenticated {
			return Step{}, &TokenError{err}
		}
		return Step{}, err
	}
	if p.Session.Door != Door {
		return Step{}, &TokenError{core.ErrInvalidToken}
	}
	c, err := b.store.ClientByID(ctx, p.Session.ClientID)
	if err != nil {
		return Step{}, &TokenError{core.ErrInvalidToken.With(err)}
	}
	if !c.Public() {
		if a.ID != c.ID {
			return Step{}, core.ErrInvalidClient
		}
		if c, err = b.AuthenticateClient(ctx, ClientAuth{ID: c.ID, Secret: a.Secret, Origin: a.Origin}); err != nil {
			return Step{}, err
		}
	} else if !c.AllowsOrigin(a.Origin) {
		return Step{}, core.ErrInvalidClient
	}
	return Step{Principal: p, Client: c}, nil
}

// LimitStep counts a request of a verified step against e's limits: per
// IP, per user of the token and per the token's client (the request names
// none itself).
func (b *Service) LimitStep(ctx context.Context, e core.Endpoint, s Step) error {
	return b.Limit.Check(core.WithClient(ctx, s.Client.ID), e, identity.LookupKey(s.Principal.User.Email))
}

// BeginTOTP starts an authenticator enrolment for a signed-in bank user,
// who re-enters the current password encrypted as at step 1 (and
// remembered against replay: a ciphertext that does not open, or comes
// again, is judged as a wrong password).
func (b *Service) BeginTOTP(ctx context.Context, p identity.Principal, encPassword string) (identity.TOTPEnrolment, error) {
	if err := b.limitFactorChange(ctx, p); err != nil {
		return identity.TOTPEnrolment{}, err
	}
	pw, err := b.currentPassword(ctx, encPassword)
	if err != nil {
		return identity.TOTPEnrolment{}, err
	}
	return b.Factors.BeginTOTP(ctx, p, pw)
}

// RemoveTOTP drops the authenticator of a signed-in bank user, who
// re-enters the current password as for BeginTOTP.
func (b *Service) RemoveTOTP(ctx context.Context, p identity.Principal, encPassword string) error {
	if err := b.limitFactorChange(ctx, p); err != nil {
		return err
	}
	pw, err := b.currentPassword(ctx, encPassword)
	if err != nil {
		return err
	}
	return b.Factors.RemoveTOTP(ctx, p, pw)
}

// currentPassword opens the current password a factor change sends
// encrypted; "" (judged as a wrong password) when it does not open.
func (b *Service) currentPassword(ctx context.Context, enc string) (string, error) {
	if enc == "" {
		return "", errInvalidRequest("password is required: the current password, encrypted as at step 1")
	}
	pw, _, err := b.openCredential(ctx, enc)
	return pw, err
}

// ConfirmTOTP confirms a pending enrolment with a code of the new
// authenticator (identity.Factors.ConfirmTOTP).
func (b *Service) ConfirmTOTP(ctx context.Context, p identity.Principal, code string) ([]string, error) {
	if err := b.limitFactorChange(ctx, p); err != nil {
		return nil, err
	}
	return b.Factors.ConfirmTOTP(ctx, p, code)
}

// limitFactorChange counts an enrolment, its confirmation or a removal
// under the "login" rate limit of the account's address, as the JSON
// doors do: the re-entered password is guessed like a login, and the
// limit holds even with the lockout off.
func (b *Service) limitFactorChange(ctx context.Context, p identity.Principal) error {
	return b.Limit.Check(ctx, core.EndpointLogin, p.User.Email)
}
