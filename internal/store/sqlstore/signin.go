package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// OpenSession writes a sign-in's session with everything it records
// (identity.SessionOpening). On PostgreSQL it is one statement of
// data-modifying WITH queries, atomic on its own, so a sign-in's writes
// cost one round trip instead of seven (BEGIN and COMMIT included);
// elsewhere it is a transaction of the same writes in the order the
// sign-in made them before (a transaction costs SQLite no round trip).
func (s *Store) OpenSession(ctx context.Context, o *identity.SessionOpening) (newDevice bool, err error) {
	defer core.Op(&err, "sqlstore.OpenSession")
	if s.d.WritableCTE {
		return s.openAtOnce(ctx, o)
	}
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		newDevice = false // the callback runs again on a retry
		if err := ts.InsertAudit(ctx, o.Audit); err != nil {
			return err
		}
		if err := ts.ClearAttempts(ctx, o.Clear...); err != nil {
			return err
		}
		if o.Mail != nil {
			if err := ts.EnqueueMail(ctx, o.Mail); err != nil {
				return err
			}
		}
		if o.NewDevice != nil {
			signedIn, seen, err := ts.DeviceSeen(ctx, o.Session.UserID, o.Session.Device)
			if err != nil {
				return err
			}
			if newDevice = signedIn && !seen; newDevice {
				m, err := o.NewDevice()
				if err != nil {
					return err
				}
				if err := ts.EnqueueMail(ctx, &m); err != nil {
					return err
				}
			}
		}
		if err := ts.CreateSession(ctx, o.Session); err != nil {
			return err
		}
		if err := ts.InsertRefreshToken(ctx, o.Refresh); err != nil {
			return err
		}
		return ts.TouchUser(ctx, o.Session.UserID, o.TouchedAt)
	})
	return newDevice, err
}

// openAtOnce is OpenSession as one PostgreSQL statement. Every part sees
// the snapshot taken before the statement, so the new-device check does
// not see the session inserted beside it, as DeviceSeen before
// CreateSession did not. The refresh token's reference to its session,
// and the session's to its user, are checked at the end of the statement,
// when both rows exist: a user deleted meanwhile fails the whole statement
// (ErrNotFound), and nothing of it stays.
func (s *Store) openAtOnce(ctx context.Context, o *identity.SessionOpening) (bool, error) {
	se, rt, e := o.Session, o.Refresh, o.Audit
	attrs, err := encodeAttrs(se.Attrs)
	if err != nil {
		return false, err
	}
	detail, err := encodeAttrs(e.Detail)
	if err != nil {
		return false, err
	}
	var a params
	var q strings.Builder
	fmt.Fprintf(&q, `WITH audit AS (
	INSERT INTO audit_log (at, type, outcome, user_id, actor, subject, ip, user_agent, detail) VALUES (%s) RETURNING id
)`, a.add(micros(e.At), e.Type, e.Outcome, e.UserID, e.Actor, e.Subject, e.IP, e.UserAgent, detail))
	// The session's id, user and device are its values 1, 2 and 14
	// (sessionColumns), used again below.
	first := a.next()
	id, user, device := first, first+1, first+13
	fmt.Fprintf(&q, `, session AS (
	INSERT INTO sessions (`+sessionColumns+`) VALUES (%s)
)`, a.add(se.ID, se.UserID, se.Door, se.ClientID, se.Audience, se.Pending, attrs, se.UserAgent, se.IP,
		micros(se.CreatedAt), micros(se.LastSeen), micros(se.ExpiresAt), nullMicros(se.RevokedAt), se.Device))
	fmt.Fprintf(&q, `, refresh AS (
	INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at) VALUES (%s, $%d, $%d, %s)
), touched AS (
	UPDATE users SET last_seen_at = %s WHERE id = $%d
)`, a.add(rt.Hash), id, user, a.add(micros(rt.IssuedAt), micros(rt.ExpiresAt)), a.add(micros(o.TouchedAt)), user)
	if len(o.Clear) > 0 {
		fmt.Fprintf(&q, `, cleared AS (
	DELETE FROM login_attempts WHERE attempt_key IN (%s)
)`, a.add(strings2any(o.Clear)...))
	}
	if o.Mail != nil {
		fmt.Fprintf(&q, `, mail AS (
	INSERT INTO outbox (`+outboxInsertColumns+`) VALUES (%s)
)`, a.add(mailValues(o.Mail)...))
	}
	devicePart := `false`
	if o.NewDevice != nil {
		m, err := o.NewDevice() // the statement decides whether it is queued
		if err != nil {
			return false, err
		}
		fmt.Fprintf(&q, `, new_device AS (
	INSERT INTO outbox (`+outboxInsertColumns+`) SELECT %s
	WHERE EXISTS (SELECT 1 FROM sessions WHERE user_id = $%[2]d AND door <> 'external')
	AND NOT EXISTS (SELECT 1 FROM sessions WHERE user_id = $%[2]d AND device = $%[3]d AND door <> 'external')
	RETURNING id
)`, a.add(mailValues(&m)...), user, device)
		devicePart = `EXISTS (SELECT 1 FROM new_device)`
	}
	q.WriteString(`
SELECT (SELECT id FROM audit), ` + devicePart)
	var newDevice bool
	err = s.q.QueryRowContext(ctx, q.String(), a.args...).Scan(&e.ID, &newDevice)
	if s.violation(err) == ForeignKeyViolation { // the user went meanwhile
		return false, core.ErrNotFound.With(err)
	}
	return newDevice, err
}

// outboxInsertColumns are the columns EnqueueMail writes, mailValues'.
const outboxInsertColumns = `channel, to_addr, kind, sealed, attempts, next_attempt, created_at, expires_at, sent_at, dropped_at, last_error`

// mailValues are m's values of outboxInsertColumns.
func mailValues(m *outbox.Message) []any {
	return []any{m.Channel, m.To, m.Kind, m.Sealed, m.Attempts, micros(m.NextAttempt), micros(m.CreatedAt),
		nullMicros(m.ExpiresAt), nullMicros(m.SentAt), nullMicros(m.DroppedAt), m.LastError}
}

// params numbers a statement's arguments as they are added.
type params struct{ args []any }

// add appends values and returns their placeholders, comma-separated.
func (p *params) add(values ...any) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		p.args = append(p.args, v)
		fmt.Fprintf(&b, "$%d", len(p.args))
	}
	return b.String()
}

// next is the number the next value added will have.
func (p *params) next() int { return len(p.args) + 1 }

// strings2any is ss as arguments.
func strings2any(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
