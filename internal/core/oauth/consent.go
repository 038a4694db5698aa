package oauth

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// consented reports whether the user's consent to the client covers scope.
func (s *Service) consented(ctx context.Context, accountID, clientID, scope string) (bool, error) {
	u, err := s.Identity.UserByUUID(ctx, accountID)
	if err != nil {
		return false, err
	}
	c, err := s.store.ConsentOf(ctx, u.ID, clientID)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	granted := strings.Fields(c.Scope)
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(granted, sc) {
			return false, nil
		}
	}
	return true, nil
}

// GrantConsent records that the user consents to the client's scope (the
// consent page's answer), adding to what was granted before.
func (s *Service) GrantConsent(ctx context.Context, userID int64, clientID, scope string) error {
	now := s.now()
	e := identity.AuditEvent{Type: identity.AuditOAuthConsent, UserID: userID, Actor: identity.UserActor(userID), Subject: clientID,
		Detail: map[string]string{"action": "granted", "scope": scope}}
	return identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		c := Consent{UserID: userID, ClientID: clientID, Scope: scope, CreatedAt: now, UpdatedAt: now}
		if old, err := tx.ConsentOf(ctx, userID, clientID); err == nil {
			c.CreatedAt, c.Scope = old.CreatedAt, normalScope(old.Scope+" "+scope)
		} else if !errors.Is(err, core.ErrNotFound) {
			return err
		}
		return tx.PutConsent(ctx, &c)
	})
}

// Consents lists the user's consents (for the user's cabinet).
func (s *Service) Consents(ctx context.Context, userID int64) ([]Consent, error) {
	return s.store.ConsentsOf(ctx, userID)
}

// RevokeConsent withdraws the user's consent to the client: its next
// authorization request asks again. ErrNotFound when there is none.
func (s *Service) RevokeConsent(ctx context.Context, userID int64, clientID string) error {
	e := identity.AuditEvent{Type: identity.AuditOAuthConsent, UserID: userID, Actor: identity.UserActor(userID), Subject: clientID,
		Detail: map[string]string{"action": "revoked"}}
	return identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		return tx.DeleteConsent(ctx, userID, clientID)
	})
}
