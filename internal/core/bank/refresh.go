package bank

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// wrap replaces the core's opaque refresh token of pair with the door's
// JWT around it (Service.RefreshTokens).
func (b *Service) wrap(pair identity.TokenPair) (identity.TokenPair, error) {
	if b.RefreshTokens == nil || pair.Refresh == "" {
		return pair, nil
	}
	t, err := b.RefreshTokens.Wrap(RefreshClaims{Handle: pair.Refresh, Subject: pair.User.UUID,
		SessionID: pair.Session.ID, Expiry: pair.Session.ExpiresAt})
	if err != nil {
		return identity.TokenPair{}, err
	}
	pair.Refresh = t
	return pair, nil
}

// handle is the core's refresh token inside a presented one: the jti of a
// JWT this door made, or the token itself when it has no dot, as the
// opaque tokens this door answered before its tokens became JWTs (they
// keep working until they expire: the record is the same). A JWT that
// does not check is ErrInvalidToken, unknown like any wrong token.
func (b *Service) handle(token string) (string, error) {
	if !strings.Contains(token, ".") {
		return token, nil
	}
	if b.RefreshTokens == nil {
		return "", core.ErrInvalidToken
	}
	h, err := b.RefreshTokens.Unwrap(token, b.now())
	if err != nil {
		return "", core.ErrInvalidToken.With(err)
	}
	return h, nil
}
