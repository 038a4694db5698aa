package identity

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The standard OAuth 2 / OpenID Connect door opens a session per grant
// (internal/core/oauth); what identity knows of those sessions is here.

// OAuthDoor is the Session.Door of the standard door's grants. Their
// access tokens are in RFC 9068's profile (typ at+jwt), and so never
// first-party (FirstParty): they open none of Gatehouse's own APIs.
const OAuthDoor = "oidc"

// AccessTokenType is the header typ of an RFC 9068 access token (§2.1).
const AccessTokenType = "at+jwt"

// tokenType is the typ of the access tokens of sess.
func tokenType(sess Session) string {
	if sess.Door == OAuthDoor {
		return AccessTokenType
	}
	return ""
}

// RefreshTokenSession finds the session of a refresh token, and whether
// the token itself is live: unspent, unexpired, its session active
// (RFC 7662 §2.2 "active"). ErrInvalidToken when the token is unknown.
func (s *Service) RefreshTokenSession(ctx context.Context, token string) (sess Session, live bool, err error) {
	if token == "" || len(token) > 256 {
		return Session{}, false, core.ErrInvalidToken
	}
	rt, err := s.store.RefreshTokenByHash(ctx, core.HashSecret(token))
	if errors.Is(err, core.ErrNotFound) {
		return Session{}, false, core.ErrInvalidToken
	}
	if err != nil {
		return Session{}, false, err
	}
	if sess, err = s.store.SessionByID(ctx, rt.SessionID); err != nil {
		return Session{}, false, core.ErrInvalidToken.With(err)
	}
	now := s.now()
	return sess, rt.UsedAt == nil && now.Before(rt.ExpiresAt) && sess.Active(now), nil
}

// UserByUUID returns the account with this UUID (the sub of every token);
// ErrNotFound when there is none.
func (s *Service) UserByUUID(ctx context.Context, id string) (User, error) {
	if len(id) != 36 {
		return User{}, core.ErrNotFound
	}
	return s.store.UserByUUID(ctx, id)
}

// WithAuthTime returns attrs with the sign-in time t, which AuthTime then
// reads for the session: a grant's session carries the browser's sign-in,
// not its own opening.
func WithAuthTime(attrs map[string]string, t time.Time) map[string]string {
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs[authTimeAttr] = t.UTC().Format(time.RFC3339Nano)
	return attrs
}
