package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// VerifyBearer checks what a client presented as its bearer credential: a
// permanent API key (recognised by APIKeyPrefix) or an access token
// (VerifyAccess). A key must be neither revoked nor expired, and its user
// not locked; revocation is in the shared store, so every node refuses a
// revoked key at once. Returns ErrInvalidToken, ErrAccountLocked, or
// VerifyAccess's errors.
func (s *Service) VerifyBearer(ctx context.Context, token string, opt VerifyOptions) (Principal, error) {
	if strings.HasPrefix(token, APIKeyPrefix) {
		return s.verifyAPIKey(ctx, token)
	}
	return s.VerifyAccess(ctx, token, opt)
}

func (s *Service) verifyAPIKey(ctx context.Context, token string) (p Principal, err error) {
	if len(token) > 256 {
		return Principal{}, core.ErrInvalidToken
	}
	h := core.HashSecret(token)
	k, err := s.store.APIKeyByHash(ctx, h)
	if errors.Is(err, core.ErrNotFound) {
		return Principal{}, core.ErrInvalidToken
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	// The lookup already matched the hash; comparing again in constant time
	// keeps the check independent of how the backend compares.
	if subtle.ConstantTimeCompare(k.Hash, h) != 1 || !k.Active(now) {
		return Principal{}, core.ErrInvalidToken
	}
	u, err := s.bearerUser(ctx, k.UserID)
	if err != nil {
		return Principal{}, err
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= APIKeyTouchEvery {
		// Best effort: a failed write costs the statistic, not the request.
		_ = s.store.TouchAPIKey(ctx, k.ID, now, APIKeyTouchEvery)
		_ = s.store.TouchUser(ctx, u.ID, now)
	}
	return Principal{User: u, APIKey: &k, Claims: Claims{Issuer: s.Policy.Issuer, Subject: u.UUID}}, nil
}

// ViaAPIKey reports whether a permanent API key (not a session's access
// token) authenticated the principal; such a principal has no session.
func (p Principal) ViaAPIKey() bool { return p.APIKey != nil }

// Allows reports whether the principal may use scope: always for access
// tokens and for keys without scopes, otherwise when the key lists it.
func (p Principal) Allows(scope string) bool {
	return p.APIKey == nil || len(p.APIKey.Scopes) == 0 || slices.Contains(p.APIKey.Scopes, scope)
}
