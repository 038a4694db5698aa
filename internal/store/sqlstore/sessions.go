package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

const sessionColumns = `id, user_id, door, client_id, audience, pending, attrs, user_agent, ip,
	created_at, last_seen, expires_at, revoked_at, device`

// CreateSession inserts s, filling ID when empty; ErrNotFound when the user
// does not exist.
func (s *Store) CreateSession(ctx context.Context, se *identity.Session) (err error) {
	defer core.Op(&err, "sqlstore.CreateSession")
	if se.ID == "" {
		se.ID = uuid.NewString()
	}
	attrs, err := encodeAttrs(se.Attrs)
	if err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		se.ID, se.UserID, se.Door, se.ClientID, se.Audience, se.Pending, attrs, se.UserAgent, se.IP,
		micros(se.CreatedAt), micros(se.LastSeen), micros(se.ExpiresAt), nullMicros(se.RevokedAt), se.Device)
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// encodeAttrs stores Attrs as a JSON object; none is "{}".
func encodeAttrs(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode attrs: %w", err)
	}
	return string(b), nil
}

func scanSession(r scanner) (identity.Session, error) {
	var row sessionRow
	if err := r.Scan(row.dest()...); err != nil {
		return identity.Session{}, err
	}
	return row.session()
}

// sessionRow is a row of sessionColumns as scanned, for queries that read
// a session beside other columns.
type sessionRow struct {
	se                     identity.Session
	attrs                  string
	created, seen, expires int64
	revoked                sql.NullInt64
}

// dest is where the columns of sessionColumns go, in order.
func (r *sessionRow) dest() []any {
	se := &r.se
	return []any{&se.ID, &se.UserID, &se.Door, &se.ClientID, &se.Audience, &se.Pending, &r.attrs,
		&se.UserAgent, &se.IP, &r.created, &r.seen, &r.expires, &r.revoked, &se.Device}
}

// session is the scanned session.
func (r *sessionRow) session() (identity.Session, error) {
	se := r.se
	if r.attrs != "" && r.attrs != "{}" {
		if err := json.Unmarshal([]byte(r.attrs), &se.Attrs); err != nil {
			return identity.Session{}, fmt.Errorf("decode attrs of session %s: %w", se.ID, err)
		}
	}
	se.CreatedAt, se.LastSeen, se.ExpiresAt = fromMicros(r.created), fromMicros(r.seen), fromMicros(r.expires)
	se.RevokedAt = timePtr(r.revoked)
	return se, nil
}

// SessionByID returns the session, revoked or not, or ErrNotFound.
func (s *Store) SessionByID(ctx context.Context, id string) (se identity.Session, err error) {
	defer core.Op(&err, "sqlstore.SessionByID")
	se, err = scanSession(s.q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	return se, notFound(err)
}

// SessionsOf lists the user's sessions, newest first.
func (s *Store) SessionsOf(ctx context.Context, userID int64) (list []identity.Session, err error) {
	defer core.Op(&err, "sqlstore.SessionsOf")
	rows, err := s.q.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		se, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, se)
	}
	return list, rows.Err()
}

// UpdateSession reads the session under a lock, applies fn and writes it
// back in one transaction. The id and user cannot change.
func (s *Store) UpdateSession(ctx context.Context, id string, fn func(*identity.Session) error) (se identity.Session, err error) {
	defer core.Op(&err, "sqlstore.UpdateSession")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		row := ts.q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`+ts.d.ForUpdate, id)
		cur, err := scanSession(row)
		if err != nil {
			return notFound(err)
		}
		userID := cur.UserID
		if err := fn(&cur); err != nil {
			return err
		}
		cur.ID, cur.UserID = id, userID
		attrs, err := encodeAttrs(cur.Attrs)
		if err != nil {
			return err
		}
		_, err = ts.q.ExecContext(ctx, `UPDATE sessions SET door = $1, client_id = $2, audience = $3,
			pending = $4, attrs = $5, user_agent = $6, ip = $7, created_at = $8, last_seen = $9,
			expires_at = $10, revoked_at = $11, device = $12 WHERE id = $13`,
			cur.Door, cur.ClientID, cur.Audience, cur.Pending, attrs, cur.UserAgent, cur.IP,
			micros(cur.CreatedAt), micros(cur.LastSeen), micros(cur.ExpiresAt), nullMicros(cur.RevokedAt), cur.Device, id)
		se = cur
		return err
	})
	if err != nil {
		return identity.Session{}, err
	}
	return se, nil
}

// DeviceSeen reports whether the user has any session of a door other
// than "external", and whether one of them came from device.
func (s *Store) DeviceSeen(ctx context.Context, userID int64, device string) (signedIn, seen bool, err error) {
	defer core.Op(&err, "sqlstore.DeviceSeen")
	err = s.q.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM sessions WHERE user_id = $1 AND door <> 'external'),
		EXISTS (SELECT 1 FROM sessions WHERE user_id = $1 AND device = $2 AND door <> 'external')`,
		userID, device).Scan(&signedIn, &seen)
	return signedIn, seen, err
}

// RevokeSession sets RevokedAt unless already set; ErrNotFound when absent.
func (s *Store) RevokeSession(ctx context.Context, id string, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.RevokeSession")
	res, err := s.q.ExecContext(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`,
		micros(at), id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// RevokeUserSessions revokes every unrevoked session of the user but keep.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, keep string, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.RevokeUserSessions")
	_, err = s.q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1
		WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3`, micros(at), userID, keep)
	return err
}
