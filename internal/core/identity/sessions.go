package identity

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Principal is who a verified access token speaks for.
type Principal struct {
	User    User
	Session Session
	Claims  Claims
	APIKey  *APIKey // set when a permanent API key authenticated (then Session is zero)
}

// VerifyOptions says what a protected endpoint accepts.
type VerifyOptions struct {
	AllowPending bool // the bank door's next step accepts a half-finished chain
	// AnyAudience also admits a token that is not first-party (FirstParty):
	// only for ending the token's own session (logout), the one thing a
	// token minted for another service may do here.
	AnyAudience bool
}

// VerifyAccess checks an access token: signature, issuer, expiry, that
// its session is still active (revocation is in the shared store, so every
// node sees it), that it is first-party (FirstParty) unless opt.AnyAudience,
// and that its user is not locked. Returns ErrInvalidToken, ErrForeignToken,
// or ErrAuthIncomplete for a pending chain when not allowed.
func (s *Service) VerifyAccess(ctx context.Context, token string, opt VerifyOptions) (p Principal, err error) {
	if token == "" || len(token) > 8192 {
		return Principal{}, core.ErrInvalidToken
	}
	c, err := s.Tokens.Verify(ctx, token)
	if err != nil {
		return Principal{}, core.ErrInvalidToken.With(err)
	}
	now := s.now()
	if c.Issuer != s.Policy.Issuer || !now.Before(c.ExpiresAt) || c.SessionID == "" {
		return Principal{}, core.ErrInvalidToken
	}
	sess, err := s.store.SessionByID(ctx, c.SessionID)
	if errors.Is(err, core.ErrNotFound) {
		return Principal{}, core.ErrInvalidToken
	}
	if err != nil {
		return Principal{}, err
	}
	if !sess.Active(now) {
		return Principal{}, core.ErrInvalidToken
	}
	if !opt.AnyAudience && !s.FirstParty(c, sess) {
		return Principal{}, core.ErrForeignToken
	}
	if sess.Pending && !opt.AllowPending {
		return Principal{}, core.ErrAuthIncomplete
	}
	u, err := s.bearerUser(ctx, sess.UserID)
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: u, Session: sess, Claims: c}, nil
}

// bearerUser is the user a presented credential (access token, API key,
// web session) stands for: ErrInvalidToken when the user is gone,
// ErrAccountLocked when locked.
func (s *Service) bearerUser(ctx context.Context, id int64) (User, error) {
	u, err := s.store.UserByID(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		return User{}, core.ErrInvalidToken
	}
	if err != nil {
		return User{}, err
	}
	if u.Locked() {
		return User{}, core.ErrAccountLocked
	}
	return u, nil
}

// ExternalDoor is the door of the sessions ExternalToken opens: the
// platform door issued them and refreshes them.
const ExternalDoor = "external"

// ExternalToken issues a token pair for an external service on behalf of
// the principal of a, in a session of its own that can be revoked without
// logging the user out (the platform API POST /v1/auth/token). Its tokens name
// audience only (CheckAudience judges it; "" is ExternalAudience) and open
// none of Gatehouse's own APIs. Like an API key it needs a recent
// authentication (requireRecentAuth), and the new session inherits its
// parent's authentication time, so that it cannot renew its own freshness;
// the owner is mailed (sessionOpened).
func (s *Service) ExternalToken(ctx context.Context, a RecentAuth, audience string) (TokenPair, error) {
	if audience == "" {
		audience = ExternalAudience
	} else if err := s.CheckAudience("audience", audience); err != nil {
		return TokenPair{}, err
	}
	if err := s.requireRecentAuth(ctx, a); err != nil {
		return TokenPair{}, err
	}
	p := a.Principal
	authAt := AuthTime(p.Session)
	if a.Password != "" {
		authAt = s.now() // the password was just re-entered
	}
	return s.StartSession(ctx, p.User, SessionSpec{
		Door: ExternalDoor, ClientID: p.Session.ClientID, Audience: audience,
		Attrs:     map[string]string{"parent": p.Session.ID, authTimeAttr: authAt.UTC().Format(time.RFC3339Nano)},
		UserAgent: p.Session.UserAgent, IP: p.Session.IP,
	})
}

// Logout revokes one session; ErrNotFound when there is none with this id
// (an id that is no UUID included: internal/core/text.go).
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	if _, err := uuid.Parse(sessionID); err != nil {
		return core.ErrNotFound
	}
	sess, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	if core.CallerOf(ctx).Actor == "" { // the doors' logouts: the holder of the session's own token
		ctx = core.WithActor(ctx, UserActor(sess.UserID))
	}
	return s.revokeAudited(ctx, sess, "logout")
}

// RevokeByToken ends sess, found from one of its tokens by SessionOfToken,
// with a session.revoked audit row naming reason and the client: a token
// revocation (RFC 7009) is made by the holder of the user's token, who is
// the actor. A session already ended is left as it is, without a row.
func (s *Service) RevokeByToken(ctx context.Context, sess Session, clientID, reason string) error {
	if !sess.Active(s.now()) {
		return nil
	}
	ctx = core.WithActor(ctx, UserActor(sess.UserID))
	e := AuditEvent{Type: AuditSessionRevoked, UserID: sess.UserID, Subject: sess.ID,
		Detail: map[string]string{"reason": reason, "door": sess.Door, "client_id": clientID}}
	return s.audited(ctx, e, func(tx Store) error { return tx.RevokeSession(ctx, sess.ID, s.now()) })
}

// Sessions lists the user's active sessions.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	all, err := s.store.SessionsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	active := all[:0]
	for _, x := range all {
		if x.Active(now) {
			active = append(active, x)
		}
	}
	return active, nil
}

// RevokeSessionOf revokes a session of the user's own; ErrNotFound when the
// session is not the user's (so ids of others are not confirmed).
func (s *Service) RevokeSessionOf(ctx context.Context, userID int64, sessionID string) error {
	if _, err := uuid.Parse(sessionID); err != nil {
		return core.ErrNotFound
	}
	sess, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	if sess.UserID != userID {
		return core.ErrNotFound
	}
	return s.revokeAudited(core.WithActor(ctx, UserActor(userID)), sess, "revoked by the user")
}

// EndSession revokes a session without an audit row of its own: the caller
// has recorded why (a bank role changed since the step, an RFC 7009
// revocation). Revoking twice is not an error.
func (s *Service) EndSession(ctx context.Context, sessionID string) error {
	return s.store.RevokeSession(ctx, sessionID, s.now())
}

// SessionOfToken finds the session of an access token (a JWT, pending or
// not) or of a refresh token, for a revocation (RFC 7009 §2.1: the client
// need not say which kind it holds). ErrInvalidToken for anything else.
func (s *Service) SessionOfToken(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 8192 {
		return Session{}, core.ErrInvalidToken
	}
	id := ""
	if strings.Count(token, ".") == 2 { // a JWT: the access token
		p, err := s.VerifyAccess(ctx, token, VerifyOptions{AllowPending: true})
		if err != nil {
			return Session{}, core.ErrInvalidToken.With(err)
		}
		id = p.Session.ID
	} else {
		rt, err := s.store.RefreshTokenByHash(ctx, core.HashSecret(token))
		if err != nil {
			return Session{}, core.ErrInvalidToken.With(err)
		}
		id = rt.SessionID
	}
	sess, err := s.store.SessionByID(ctx, id)
	if err != nil {
		return Session{}, core.ErrInvalidToken.With(err)
	}
	return sess, nil
}
