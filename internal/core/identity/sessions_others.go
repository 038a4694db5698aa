package identity

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core"
)

// RevokeOtherSessions ends every active session of the user except keep
// (the session the owner acts from; "" ends them all), each with its
// `session.revoked` row, in one transaction, and returns how many it
// ended. The cabinet's "sign out everywhere else": the owner who suspects
// a stolen token stays signed in here.
func (s *Service) RevokeOtherSessions(ctx context.Context, userID int64, keep string) (n int, err error) {
	defer core.Op(&err, "RevokeOtherSessions")
	err = s.store.Tx(ctx, func(tx Store) error {
		n = 0
		all, err := tx.SessionsOf(ctx, userID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, sess := range all {
			if sess.ID == keep || !sess.Active(now) {
				continue
			}
			if err := tx.RevokeSession(ctx, sess.ID, now); err != nil {
				return err
			}
			e := AuditEvent{Type: AuditSessionRevoked, UserID: userID, Actor: ActorFor(ctx, userID), Subject: sess.ID,
				Detail: map[string]string{"reason": "revoked by the user", "door": sess.Door}}
			if err := s.Audit(ctx, tx, e); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
