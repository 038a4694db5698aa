package oauth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// consented reports whether the user's consent to the client covers scope.
func (s *Service) consented(ctx context.Context, accountID, clientID, scope string) (bool, error) {
	u, err := s.Identity.UserByUUID(ctx, accountID)
	if err != nil {
		return false, err
	}
	missing, err := s.notGranted(ctx, u.ID, clientID, scope)
	return len(missing) == 0, err
}

// notGranted lists the scopes of scope (once each, in order) that the
// user's consent to the client does not hold: all of them without one.
func (s *Service) notGranted(ctx context.Context, userID int64, clientID, scope string) ([]string, error) {
	var granted []string
	c, err := s.store.ConsentOf(ctx, userID, clientID)
	switch {
	case err == nil:
		granted = strings.Fields(c.Scope)
	case !errors.Is(err, core.ErrNotFound):
		return nil, err
	}
	var missing []string
	for _, sc := range strings.Fields(normalScope(scope)) {
		if !slices.Contains(granted, sc) {
			missing = append(missing, sc)
		}
	}
	return missing, nil
}

// GrantConsent records that the user consents to the client's scope (the
// consent page's answer), adding to what was granted before.
func (s *Service) GrantConsent(ctx context.Context, userID int64, clientID, scope string) error {
	e := identity.AuditEvent{Type: identity.AuditOAuthConsent, UserID: userID, Actor: identity.UserActor(userID), Subject: clientID,
		Detail: map[string]string{"action": "granted", "scope": scope}}
	return identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		return grant(ctx, tx, userID, clientID, scope, s.now())
	})
}

// grant adds scope to the user's consent to the client, in tx.
func grant(ctx context.Context, tx Store, userID int64, clientID, scope string, now time.Time) error {
	c := Consent{UserID: userID, ClientID: clientID, Scope: normalScope(scope), CreatedAt: now, UpdatedAt: now}
	if old, err := tx.ConsentOf(ctx, userID, clientID); err == nil {
		c.CreatedAt, c.Scope = old.CreatedAt, normalScope(old.Scope+" "+scope)
	} else if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	return tx.PutConsent(ctx, &c)
}

// Question is what the consent page asks about a kept authorization
// request: the client (its client_name, RFC 7591 §2), its redirect URI,
// the scopes asked
// (once each, in the request's order) and, of those, the ones the user
// has not granted the client yet (all of them at a first consent).
type Question struct {
	RequestID   string
	RedirectURI string // where the answer goes back to
	Client      bank.Client
	Scopes      []string
	New         []string
}

// ConsentQuestion returns the question of the kept request id for the
// user: ErrNotFound when the request is unknown or expired,
// ErrInvalidClient when its client is gone.
func (s *Service) ConsentQuestion(ctx context.Context, id string, userID int64) (q Question, err error) {
	defer core.Op(&err, "ConsentQuestion")
	r, err := s.Kept(ctx, id)
	if err != nil {
		return Question{}, err
	}
	c, err := s.Client(ctx, r.ClientID)
	if err != nil {
		return Question{}, err
	}
	missing, err := s.notGranted(ctx, userID, c.ID, r.Scope)
	if err != nil {
		return Question{}, err
	}
	return Question{RequestID: r.ID, RedirectURI: r.RedirectURI, Client: c, Scopes: strings.Fields(normalScope(r.Scope)), New: missing}, nil
}

// AnswerConsent records the user's answer to the kept request id's
// question: allow adds the request's scopes to the user's consent to its
// client and marks the request consented by the user, so that it issues a
// code even under prompt=consent; deny marks it denied, so that its
// continuation answers access_denied (RFC 6749 §4.1.2.1). Both are
// audited (oauth.consent). ErrNotFound when the request is unknown or
// expired. The caller continues the request (/oauth2/authorize?request_id=).
func (s *Service) AnswerConsent(ctx context.Context, id string, u identity.User, allow bool) (err error) {
	defer core.Op(&err, "AnswerConsent")
	r, err := s.Kept(ctx, id)
	if err != nil {
		return err
	}
	action := "denied"
	if allow {
		action = "granted"
	}
	e := identity.AuditEvent{Type: identity.AuditOAuthConsent, UserID: u.ID, Actor: identity.UserActor(u.ID), Subject: r.ClientID,
		Detail: map[string]string{"action": action, "scope": normalScope(r.Scope)}}
	return identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		r.ConsentedBy, r.DeniedBy = "", u.UUID
		if allow {
			if err := grant(ctx, tx, u.ID, r.ClientID, r.Scope, s.now()); err != nil {
				return err
			}
			r.ConsentedBy, r.DeniedBy = u.UUID, ""
		}
		// The kept request is replaced whole (its id, times and
		// parameters unchanged): a request is small and lives minutes.
		if err := tx.DeleteAuthRequest(ctx, r.ID); err != nil {
			return err
		}
		return tx.PutAuthRequest(ctx, &r)
	})
}

// Consents lists the user's consents (for the user's cabinet).
func (s *Service) Consents(ctx context.Context, userID int64) ([]Consent, error) {
	return s.store.ConsentsOf(ctx, userID)
}

// RevokeConsent withdraws the user's consent to the client (audited,
// oauth.consent "revoked") and ends the client's grants for the user:
// every live session of this door opened for the client (its refresh
// tokens stop working at once, its access tokens at their expiry; one
// session.revoked audit row each). The client's next authorization
// request asks again. ErrNotFound when there is no consent.
func (s *Service) RevokeConsent(ctx context.Context, userID int64, clientID string) error {
	e := identity.AuditEvent{Type: identity.AuditOAuthConsent, UserID: userID, Actor: identity.UserActor(userID), Subject: clientID,
		Detail: map[string]string{"action": "revoked"}}
	err := identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		return tx.DeleteConsent(ctx, userID, clientID)
	})
	if err != nil {
		return err
	}
	// After the consent is gone no code of the client redeems (Exchange
	// checks it), so no session of the client opens after this list.
	return s.endGrants(ctx, userID, clientID, nil, "consent revoked")
}
