package identity

import (
	"context"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// UserActor names a user as an audit actor.
func UserActor(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// Audit writes e through st, which should be the transaction of the change
// e records. Time, IP, user agent and actor default to the clock and the
// context's Caller. Doors and other core files use it for their own events
// (factors, API keys). Every text of the row goes through DisplayText: a
// row records what a client sent (a login tried, its User-Agent), and an
// insert that failed on those bytes would take the change it records, or
// the failure it counts, down with it.
func (s *Service) Audit(ctx context.Context, st AuditWriter, e AuditEvent) error {
	e = s.auditEvent(ctx, e)
	return st.InsertAudit(ctx, &e)
}

// auditEvent is e as Audit stores it: its defaults filled and its texts
// sanitised.
func (s *Service) auditEvent(ctx context.Context, e AuditEvent) AuditEvent {
	c := core.CallerOf(ctx)
	if e.At.IsZero() {
		e.At = s.now()
	}
	if e.IP == "" {
		e.IP = c.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = c.UserAgent
	}
	if e.Actor == "" {
		e.Actor = c.Actor
	}
	if e.Actor == "" {
		e.Actor = "anonymous"
	}
	if e.Outcome == "" {
		e.Outcome = AuditOK
	}
	e.sanitise()
	return e
}

// Record writes e in a transaction of its own: an event that records no
// change of the store (an operator's key rotation, a refused sign-in).
func (s *Service) Record(ctx context.Context, e AuditEvent) error {
	return s.Audit(ctx, s.store, e)
}

// sanitise makes every text of e fit to store (DisplayText).
func (e *AuditEvent) sanitise() {
	e.UserAgent = core.DisplayText(e.UserAgent, core.MaxUserAgent)
	e.IP = core.DisplayText(e.IP, 64)
	e.Actor = core.DisplayText(e.Actor, 128)
	e.Subject = core.DisplayText(e.Subject, 512)
	for k, v := range e.Detail {
		if !core.IsText(k) || !core.IsText(v) || len(v) > 512 {
			d := make(map[string]string, len(e.Detail))
			for k, v := range e.Detail {
				d[core.DisplayText(k, 64)] = core.DisplayText(v, 512)
			}
			e.Detail = d
			return
		}
	}
}

// AuditLog pages through the audit log for an operator (limit 1–500,
// default 50). A type of more than 64 bytes, or an actor of more than 128
// (the longest the log stores), or either not text, is 400 invalid_type or
// invalid_actor.
func (s *Service) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 || f.Offset < 0 {
		return nil, 0, core.Invalid("invalid_paging", "limit", "limit must be 1–500 and offset not negative")
	}
	// The store compares a type whole or by its prefix, never with LIKE, so
	// "_" (admin.keys_rotated) is a plain character to look for.
	if len(f.Type) > 64 || !core.IsText(f.Type) {
		return nil, 0, core.Invalid("invalid_type", "type", "type is an event type or a family ending in a dot")
	}
	if len(f.Actor) > 128 || !core.IsText(f.Actor) {
		return nil, 0, core.Invalid("invalid_actor", "actor", "actor is an actor as the log names it, such as admin:7")
	}
	return s.store.ListAudit(ctx, f)
}

// ActorFor is the actor the door named, or else the user acting on their
// own behalf (their token or API key): the cashdesk and bank doors name
// no actor, while an admin acting for the user does.
func ActorFor(ctx context.Context, userID int64) string {
	if a := core.CallerOf(ctx).Actor; a != "" {
		return a
	}
	return UserActor(userID)
}

// AdminEvent is an operator's change of a registry: typ with its action
// and the changed thing's id.
func AdminEvent(typ, action, subject string, detail ...string) AuditEvent {
	d := map[string]string{"action": action}
	for i := 0; i+1 < len(detail); i += 2 {
		d[detail[i]] = detail[i+1]
	}
	return AuditEvent{Type: typ, Subject: subject, Detail: d}
}

// audited runs change and the audit row of e in one transaction.
func (s *Service) audited(ctx context.Context, e AuditEvent, change func(tx Store) error) error {
	return Audited(ctx, s, s.store.Tx, e, change)
}

// Audited runs change and the audit row of e in one transaction of tx, a
// store's Tx of any domain whose transactions can write the audit log, so
// that a change without its row (or a row without its change) cannot exist.
func Audited[T AuditWriter](ctx context.Context, s *Service, tx func(context.Context, func(T) error) error, e AuditEvent, change func(T) error) error {
	return tx(ctx, func(t T) error {
		if err := change(t); err != nil {
			return err
		}
		return s.Audit(ctx, t, e)
	})
}

// revokeAudited revokes a session and records why, in one transaction.
func (s *Service) revokeAudited(ctx context.Context, sess Session, reason string) error {
	e := AuditEvent{Type: AuditSessionRevoked, UserID: sess.UserID, Subject: sess.ID, Detail: map[string]string{"reason": reason, "door": sess.Door}}
	return s.audited(ctx, e, func(tx Store) error { return tx.RevokeSession(ctx, sess.ID, s.now()) })
}

// revokeReused revokes the family of a replayed refresh token and records
// the detection, through tx.
func (s *Service) revokeReused(ctx context.Context, tx Store, sess Session, at time.Time) error {
	if err := tx.RevokeSession(ctx, sess.ID, at); err != nil {
		return err
	}
	return s.Audit(ctx, tx, AuditEvent{Type: AuditTokenReuse, Outcome: AuditRefused, UserID: sess.UserID, Subject: sess.ID,
		Detail: map[string]string{"door": sess.Door, "action": "session revoked"}})
}

// PurgeAudit forgets audit events older than the retention and lockout
// counters idle for longer than the lockout window.
func (s *Service) PurgeAudit(ctx context.Context) error {
	now := s.now()
	retention := s.Security.AuditRetention
	if retention <= 0 {
		retention = 90 * 24 * time.Hour
	}
	window := s.Security.Window
	if window <= 0 {
		window = 24 * time.Hour
	}
	return s.store.PurgeSecurity(ctx, now.Add(-retention), now.Add(-window))
}
