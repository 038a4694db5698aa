package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

const mailColumns = `id, channel, to_addr, kind, sealed, attempts, next_attempt, created_at, expires_at, sent_at, dropped_at, last_error`

// EnqueueMail inserts m and fills its ID.
func (s *Store) EnqueueMail(ctx context.Context, m *outbox.Message) (err error) {
	defer core.Op(&err, "sqlstore.EnqueueMail")
	return s.q.QueryRowContext(ctx, `INSERT INTO outbox (channel, to_addr, kind, sealed, attempts, next_attempt, created_at, expires_at, sent_at, dropped_at, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		m.Channel, m.To, m.Kind, m.Sealed, m.Attempts, micros(m.NextAttempt), micros(m.CreatedAt), nullMicros(m.ExpiresAt),
		nullMicros(m.SentAt), nullMicros(m.DroppedAt), m.LastError).
		Scan(&m.ID)
}

// LastMailAt returns the creation time of the newest mail of kind to to, or
// the zero time.
func (s *Store) LastMailAt(ctx context.Context, to, kind string) (t time.Time, err error) {
	defer core.Op(&err, "sqlstore.LastMailAt")
	var last sql.NullInt64
	err = s.q.QueryRowContext(ctx, `SELECT MAX(created_at) FROM outbox WHERE to_addr = $1 AND kind = $2`, to, kind).
		Scan(&last)
	if err != nil || !last.Valid {
		return time.Time{}, err
	}
	return fromMicros(last.Int64), nil
}

// ClaimMail leases up to limit due, unsent and undropped messages of the
// channel in one UPDATE: the lease is the new next_attempt, so a second
// worker's claim no longer sees them as due. Returned in id order.
func (s *Store) ClaimMail(ctx context.Context, channel string, now, leaseUntil time.Time, limit int) (list []outbox.Message, err error) {
	defer core.Op(&err, "sqlstore.ClaimMail")
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.q.QueryContext(ctx, `UPDATE outbox SET next_attempt = $1 WHERE id IN (
			SELECT id FROM outbox WHERE channel = $2 AND sent_at IS NULL AND dropped_at IS NULL AND next_attempt <= $3
			ORDER BY next_attempt, id LIMIT $4`+s.d.SkipLocked+`)
		RETURNING `+mailColumns, micros(leaseUntil), channel, micros(now), int64(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING has no defined order; ids grow with creation.
	slices.SortFunc(list, func(a, b outbox.Message) int { return cmp.Compare(a.ID, b.ID) })
	return list, nil
}

func scanMail(r scanner) (outbox.Message, error) {
	var m outbox.Message
	var next, created int64
	var expires, sent, dropped sql.NullInt64
	err := r.Scan(&m.ID, &m.Channel, &m.To, &m.Kind, &m.Sealed, &m.Attempts, &next, &created, &expires, &sent, &dropped, &m.LastError)
	if err != nil {
		return outbox.Message{}, err
	}
	m.NextAttempt, m.CreatedAt = fromMicros(next), fromMicros(created)
	m.ExpiresAt, m.SentAt, m.DroppedAt = timePtr(expires), timePtr(sent), timePtr(dropped)
	return m, nil
}

// MarkMailSent records the sending and drops the sealed body, which
// carries codes; ErrNotFound when there is no such mail.
func (s *Store) MarkMailSent(ctx context.Context, id int64, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.MarkMailSent")
	res, err := s.q.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, sealed = NULL WHERE id = $2`, micros(at), id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// MarkMailFailed counts an attempt, keeps the error and schedules the next.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, errText string, next time.Time) (err error) {
	defer core.Op(&err, "sqlstore.MarkMailFailed")
	res, err := s.q.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt = $2
		WHERE id = $3`, errText, micros(next), id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// DropMail gives a message up for good: the attempt and its error are
// kept, the sealed body (it carries a code) is cleared, and no claim sees
// it again. ErrNotFound when there is no such message.
func (s *Store) DropMail(ctx context.Context, id int64, errText string, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.DropMail")
	res, err := s.q.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1, dropped_at = $2, sealed = NULL
		WHERE id = $3`, errText, micros(at), id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}
