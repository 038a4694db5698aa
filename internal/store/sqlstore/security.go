package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The audit log and the lockout counters (identity.SecurityStore), migration
// 0004_security.sql.

const auditColumns = `id, at, type, outcome, user_id, actor, subject, ip, user_agent, detail`

// InsertAudit appends e, filling e.ID.
func (s *Store) InsertAudit(ctx context.Context, e *identity.AuditEvent) (err error) {
	defer core.Op(&err, "sqlstore.InsertAudit")
	detail, err := encodeAttrs(e.Detail)
	if err != nil {
		return err
	}
	return s.q.QueryRowContext(ctx, `INSERT INTO audit_log (at, type, outcome, user_id, actor, subject, ip, user_agent, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		micros(e.At), e.Type, e.Outcome, e.UserID, e.Actor, e.Subject, e.IP, e.UserAgent, detail).Scan(&e.ID)
}

// ListAudit returns a page of matching events, newest first, and the total.
func (s *Store) ListAudit(ctx context.Context, f identity.AuditFilter) (list []identity.AuditEvent, total int, err error) {
	defer core.Op(&err, "sqlstore.ListAudit")
	where, args := auditWhere(f)
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, err := s.q.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log`+where+
		fmt.Sprintf(` ORDER BY at DESC, id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list = []identity.AuditEvent{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, e)
	}
	return list, total, rows.Err()
}

// auditWhere builds the WHERE clause of f with numbered placeholders.
func auditWhere(f identity.AuditFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.UserID != 0 {
		add("user_id = $%d", f.UserID)
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	switch {
	case strings.HasSuffix(f.Type, "."):
		// A family: compare the prefix instead of LIKE, whose wildcards
		// and escapes differ between the dialects.
		add("substr(type, 1, "+fmt.Sprint(len(f.Type))+") = $%d", f.Type)
	case f.Type != "":
		add("type = $%d", f.Type)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", micros(f.Since))
	}
	if !f.Until.IsZero() {
		add("at < $%d", micros(f.Until))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func scanAudit(r scanner) (identity.AuditEvent, error) {
	var e identity.AuditEvent
	var at int64
	var detail string
	if err := r.Scan(&e.ID, &at, &e.Type, &e.Outcome, &e.UserID, &e.Actor, &e.Subject, &e.IP, &e.UserAgent, &detail); err != nil {
		return identity.AuditEvent{}, err
	}
	e.At = fromMicros(at)
	if detail != "" && detail != "{}" {
		if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
			return identity.AuditEvent{}, fmt.Errorf("decode detail of audit event %d: %w", e.ID, err)
		}
	}
	return e, nil
}

const attemptColumns = `attempt_key, failures, first_at, last_at, locked_until`

func scanAttempts(r scanner) (identity.Attempts, error) {
	var a identity.Attempts
	var first, last, locked int64
	if err := r.Scan(&a.Key, &a.Failures, &first, &last, &locked); err != nil {
		return identity.Attempts{}, err
	}
	a.FirstAt, a.LastAt, a.LockedUntil = zeroMicros(first), zeroMicros(last), zeroMicros(locked)
	return a, nil
}

// zeroMicros maps the column default 0 to the zero time.
func zeroMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMicros(v)
}

// orZero stores the zero time as 0.
func orZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// Attempts reads the counters of keys in one statement, zero for those
// absent.
func (s *Store) Attempts(ctx context.Context, keys ...string) (list []identity.Attempts, err error) {
	defer core.Op(&err, "sqlstore.Attempts")
	list = make([]identity.Attempts, len(keys))
	if len(keys) == 0 {
		return list, nil
	}
	marks, args := make([]string, len(keys)), make([]any, len(keys))
	for i, k := range keys {
		list[i].Key = k
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), k
	}
	found, err := collect(ctx, s.q, scanAttempts, `SELECT `+attemptColumns+` FROM login_attempts WHERE attempt_key IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	for _, a := range found {
		for i := range list {
			if list[i].Key == a.Key {
				list[i] = a
			}
		}
	}
	return list, nil
}

// UpdateAttempts is an atomic read-modify-write of one counter. The row is
// first created if absent (ON CONFLICT DO NOTHING), so that two first
// failures racing on PostgreSQL do not both insert: both then lock the one
// row, and the second sees the first's increment.
func (s *Store) UpdateAttempts(ctx context.Context, key string, fn func(*identity.Attempts) error) (a identity.Attempts, err error) {
	defer core.Op(&err, "sqlstore.UpdateAttempts")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		if _, err := ts.q.ExecContext(ctx, `INSERT INTO login_attempts (attempt_key) VALUES ($1) ON CONFLICT (attempt_key) DO NOTHING`, key); err != nil {
			return err
		}
		cur, err := scanAttempts(ts.q.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM login_attempts WHERE attempt_key = $1`+ts.d.ForUpdate, key))
		if err != nil {
			return err
		}
		if err := fn(&cur); err != nil {
			return err
		}
		cur.Key = key
		_, err = ts.q.ExecContext(ctx, `UPDATE login_attempts SET failures = $1, first_at = $2, last_at = $3, locked_until = $4 WHERE attempt_key = $5`,
			cur.Failures, orZero(cur.FirstAt), orZero(cur.LastAt), orZero(cur.LockedUntil), key)
		a = cur
		return err
	})
	if err != nil {
		return identity.Attempts{}, err
	}
	return a, nil
}

// ClearAttempts deletes the counters of keys.
func (s *Store) ClearAttempts(ctx context.Context, keys ...string) (err error) {
	defer core.Op(&err, "sqlstore.ClearAttempts")
	for _, k := range keys {
		if _, err := s.q.ExecContext(ctx, `DELETE FROM login_attempts WHERE attempt_key = $1`, k); err != nil {
			return err
		}
	}
	return nil
}

// PurgeSecurity deletes old audit events and stale counters.
func (s *Store) PurgeSecurity(ctx context.Context, auditBefore, attemptsBefore time.Time) (err error) {
	defer core.Op(&err, "sqlstore.PurgeSecurity")
	if _, err := s.q.ExecContext(ctx, `DELETE FROM audit_log WHERE at < $1`, micros(auditBefore)); err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `DELETE FROM login_attempts WHERE last_at < $1 AND locked_until < $1`, micros(attemptsBefore))
	return err
}
