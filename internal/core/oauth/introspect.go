package oauth

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Introspection is RFC 7662 §2.2's answer; only Active is set when false.
type Introspection struct {
	Active    bool
	Scope     string
	ClientID  string
	Subject   string
	Audience  string
	TokenType string // "access_token" or "refresh_token" (RFC 7662 token_type hints' names)
	IssuedAt  time.Time
	ExpiresAt time.Time
	SessionID string
}

// Introspect tells caller about a token (RFC 7662): active only for a
// live token of the standard door issued to caller itself; another
// client's token, a first-party token of another door, and anything
// unknown, expired or revoked answer inactive (§2.2), never an error.
func (s *Service) Introspect(ctx context.Context, caller bank.Client, token string) (Introspection, error) {
	if strings.Count(token, ".") == 2 {
		return s.introspectAccess(ctx, caller, token)
	}
	sess, live, err := s.Identity.RefreshTokenSession(ctx, token)
	if err != nil || !live || sess.Door != Door || sess.ClientID != caller.ID {
		return Introspection{}, ignoreInvalid(err)
	}
	u, err := s.Identity.User(ctx, sess.UserID)
	if err != nil || u.Locked() {
		return Introspection{}, ignoreInvalid(err)
	}
	return Introspection{Active: true, Scope: sess.Attrs[attrScope], ClientID: sess.ClientID, Subject: u.UUID,
		Audience: sess.Audience, TokenType: "refresh_token", IssuedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt,
		SessionID: sess.ID}, nil
}

// ignoreInvalid drops what means "not active" and keeps real failures.
func ignoreInvalid(err error) error {
	if err == nil || core.KindOf(err) != core.KindInternal && core.KindOf(err) != core.KindUnavailable {
		return nil
	}
	return err
}

// access verifies an access token of the standard door: signature, iss,
// exp, typ at+jwt, and, for a user's token, its live session (identity's
// VerifyAccess, any audience: these tokens are never first-party).
func (s *Service) access(ctx context.Context, token string) (identity.Claims, *identity.Principal, error) {
	c, err := s.Tokens.Verify(ctx, token)
	if err != nil {
		return identity.Claims{}, nil, core.ErrInvalidToken.With(err)
	}
	if !strings.EqualFold(c.Type, identity.AccessTokenType) || c.Issuer != s.Policy.Issuer || !s.now().Before(c.ExpiresAt) {
		return identity.Claims{}, nil, core.ErrInvalidToken
	}
	if c.SessionID == "" { // a client's own token (client_credentials)
		return c, nil, nil
	}
	p, err := s.Identity.VerifyAccess(ctx, token, identity.VerifyOptions{AnyAudience: true})
	if err != nil {
		return identity.Claims{}, nil, err
	}
	if p.Session.Door != Door {
		return identity.Claims{}, nil, core.ErrInvalidToken
	}
	return c, &p, nil
}

func (s *Service) introspectAccess(ctx context.Context, caller bank.Client, token string) (Introspection, error) {
	c, p, err := s.access(ctx, token)
	if err != nil {
		return Introspection{}, ignoreInvalid(err)
	}
	clientID, _ := c.Extra["client_id"].(string)
	if clientID != caller.ID {
		return Introspection{}, nil
	}
	scope, _ := c.Extra["scope"].(string)
	in := Introspection{Active: true, Scope: scope, ClientID: clientID, Subject: c.Subject, Audience: c.Audience,
		TokenType: "access_token", IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt}
	if p != nil {
		in.SessionID = p.Session.ID
	}
	return in, nil
}

// Revoke revokes a token of caller (RFC 7009 §2.1): a grant's access or
// refresh token ends the grant's session (and so both). Anything else —
// unknown, another client's, a client's own short-lived token, which this
// server does not track — changes nothing, and the answer is the same
// (§2.2).
func (s *Service) Revoke(ctx context.Context, caller bank.Client, token string) error {
	var sess identity.Session
	if strings.Count(token, ".") == 2 {
		_, p, err := s.access(ctx, token)
		if err != nil || p == nil {
			return ignoreInvalid(err)
		}
		sess = p.Session
	} else {
		var err error
		if sess, _, err = s.Identity.RefreshTokenSession(ctx, token); err != nil {
			return ignoreInvalid(err)
		}
	}
	if sess.Door != Door || sess.ClientID != caller.ID || sess.RevokedAt != nil {
		return nil
	}
	return s.Identity.Logout(ctx, sess.ID)
}

// UserInfo answers the claims of the user an access token speaks for
// (OpenID Connect Core §5.3), by its granted scopes: sub always; email and
// email_verified with email; name and locale with profile.
// ErrInvalidToken for anything but a live user token of the standard door.
func (s *Service) UserInfo(ctx context.Context, token string) (map[string]any, error) {
	_, p, err := s.access(ctx, token)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, core.ErrInvalidToken
	}
	claims := scopeClaims(p.User, strings.Fields(p.Session.Attrs[attrScope]))
	claims["sub"] = p.User.UUID
	return claims, nil
}
