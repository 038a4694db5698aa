package core

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// RefreshOptions lets a door constrain whose refresh token it accepts.
type RefreshOptions struct {
	Door     string // when set, the session must belong to this door
	ClientID string // when set, the session must belong to this client
	// AccessTTL is the lifetime of the new access token; zero: Policy.AccessTTL.
	AccessTTL time.Duration
	Extra     func(User, Session) map[string]any
}

// Refresh spends a refresh token and returns the next pair of its session.
// Refresh tokens are single use: a second use within Policy.RefreshGrace of
// the first (a client's concurrent or retried request) gets a fresh sibling
// pair of the same session; a later reuse is treated as theft and revokes
// the whole session (the family), answering ErrTokenReused.
func (s *Service) Refresh(ctx context.Context, refresh string, opt RefreshOptions) (p TokenPair, err error) {
	defer Op(&err, "Refresh")
	if refresh == "" || len(refresh) > 256 {
		return TokenPair{}, ErrInvalidToken
	}
	now := s.now()
	var reusedSession string // set when the token was replayed after the grace window
	var (
		u     User
		sess  Session
		extra map[string]any
		next  string // the new refresh token
	)
	err = s.Store.Tx(ctx, func(tx Store) error {
		rt, fresh, err := tx.UseRefreshToken(ctx, HashSecret(refresh), now)
		if errors.Is(err, ErrNotFound) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		if !now.Before(rt.ExpiresAt) {
			return ErrInvalidToken
		}
		sess, err = tx.SessionByID(ctx, rt.SessionID)
		if err != nil {
			return err
		}
		if !fresh && (s.Policy.RefreshGrace <= 0 || now.Sub(*rt.UsedAt) > s.Policy.RefreshGrace) {
			reusedSession = rt.SessionID
			return nil
		}
		if !sess.Active(now) || (opt.Door != "" && sess.Door != opt.Door) || (opt.ClientID != "" && sess.ClientID != opt.ClientID) {
			return ErrInvalidToken
		}
		u, err = tx.UserByID(ctx, sess.UserID)
		if err != nil {
			return err
		}
		if u.Locked() {
			return ErrAccountLocked
		}
		if opt.Extra != nil {
			extra = opt.Extra(u, sess)
		}
		if next, err = s.newRefresh(ctx, tx, u, sess); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEvent{Type: AuditTokenRefreshed, UserID: u.ID, Actor: UserActor(u.ID), Subject: sess.ID, Detail: map[string]string{"door": sess.Door}})
	})
	if err != nil {
		return TokenPair{}, err
	}
	if reusedSession != "" {
		// Revoked after the transaction above so the revocation stands
		// although the caller gets an error.
		if err := s.revokeReused(ctx, reusedSession, now); err != nil {
			return TokenPair{}, err
		}
		return TokenPair{}, ErrTokenReused
	}
	return s.sign(ctx, u, sess, next, opt.AccessTTL, extra)
}

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
}

// VerifyAccess checks an access token: signature, issuer, expiry, and that
// its session is still active (revocation is in the shared store, so every
// node sees it) and its user not locked. Returns ErrInvalidToken, or
// ErrAuthIncomplete for a pending chain when not allowed.
func (s *Service) VerifyAccess(ctx context.Context, token string, opt VerifyOptions) (p Principal, err error) {
	if token == "" || len(token) > 8192 {
		return Principal{}, ErrInvalidToken
	}
	c, err := s.Tokens.Verify(ctx, token)
	if err != nil {
		return Principal{}, ErrInvalidToken.With(err)
	}
	now := s.now()
	if c.Issuer != s.Policy.Issuer || !now.Before(c.ExpiresAt) || c.SessionID == "" {
		return Principal{}, ErrInvalidToken
	}
	sess, err := s.Store.SessionByID(ctx, c.SessionID)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrInvalidToken
	}
	if err != nil {
		return Principal{}, err
	}
	if !sess.Active(now) {
		return Principal{}, ErrInvalidToken
	}
	if sess.Pending && !opt.AllowPending {
		return Principal{}, ErrAuthIncomplete
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Principal{}, ErrInvalidToken
		}
		return Principal{}, err
	}
	if u.Locked() {
		return Principal{}, ErrAccountLocked
	}
	return Principal{User: u, Session: sess, Claims: c}, nil
}

// ExternalToken issues a token pair for an external service on behalf of an
// authenticated principal, in a session of its own that can be revoked
// without logging the user out (seed 002 POST /v1/auth/token).
func (s *Service) ExternalToken(ctx context.Context, p Principal, audience string) (TokenPair, error) {
	return s.StartSession(ctx, p.User, SessionSpec{
		Door: "external", ClientID: p.Session.ClientID, Audience: audience,
		Attrs: map[string]string{"parent": p.Session.ID}, UserAgent: p.Session.UserAgent, IP: p.Session.IP,
	})
}

// Logout revokes one session; ErrNotFound when there is none with this id
// (an id that is no UUID included: text.go).
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	if _, err := uuid.Parse(sessionID); err != nil {
		return ErrNotFound
	}
	sess, err := s.Store.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	return s.revokeAudited(ctx, sess, "logout")
}

// Sessions lists the user's active sessions.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	all, err := s.Store.SessionsOf(ctx, userID)
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
		return ErrNotFound
	}
	sess, err := s.Store.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	if sess.UserID != userID {
		return ErrNotFound
	}
	return s.revokeAudited(WithActor(ctx, UserActor(userID)), sess, "revoked by the user")
}
