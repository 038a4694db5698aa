package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// InsertCode stores c; ErrNotFound when its user does not exist.
func (s *Store) InsertCode(ctx context.Context, c *identity.Code) (err error) {
	defer core.Op(&err, "sqlstore.InsertCode")
	_, err = s.q.ExecContext(ctx, `INSERT INTO codes (hash, kind, user_id, email, created_at, expires_at, used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.Hash, string(c.Kind), c.UserID, c.Email,
		micros(c.CreatedAt), micros(c.ExpiresAt), nullMicros(c.UsedAt))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// UseCode marks the code used in one conditional UPDATE … RETURNING: the
// database lets exactly one concurrent caller match "unused and unexpired".
// Unknown, expired, used and wrong-kind codes are all ErrCodeInvalid.
func (s *Store) UseCode(ctx context.Context, kind identity.CodeKind, hash []byte, at time.Time) (c identity.Code, err error) {
	defer core.Op(&err, "sqlstore.UseCode")
	var k string
	var created, expires int64
	var used sql.NullInt64
	err = s.q.QueryRowContext(ctx, `UPDATE codes SET used_at = $1
		WHERE kind = $2 AND hash = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING hash, kind, user_id, email, created_at, expires_at, used_at`,
		micros(at), string(kind), hash).
		Scan(&c.Hash, &k, &c.UserID, &c.Email, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Code{}, core.ErrCodeInvalid
	}
	if err != nil {
		return identity.Code{}, err
	}
	c.Kind, c.CreatedAt, c.ExpiresAt, c.UsedAt = identity.CodeKind(k), fromMicros(created), fromMicros(expires), timePtr(used)
	return c, nil
}

// LiveCode reads the unused, unexpired code of kind and hash; unknown,
// expired, used and wrong-kind codes are all ErrCodeInvalid.
func (s *Store) LiveCode(ctx context.Context, kind identity.CodeKind, hash []byte, at time.Time) (c identity.Code, err error) {
	defer core.Op(&err, "sqlstore.LiveCode")
	var k string
	var created, expires int64
	var used sql.NullInt64
	err = s.q.QueryRowContext(ctx, `SELECT hash, kind, user_id, email, created_at, expires_at, used_at FROM codes
		WHERE kind = $2 AND hash = $3 AND used_at IS NULL AND expires_at > $1`,
		micros(at), string(kind), hash).
		Scan(&c.Hash, &k, &c.UserID, &c.Email, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Code{}, core.ErrCodeInvalid
	}
	if err != nil {
		return identity.Code{}, err
	}
	c.Kind, c.CreatedAt, c.ExpiresAt, c.UsedAt = identity.CodeKind(k), fromMicros(created), fromMicros(expires), timePtr(used)
	return c, nil
}

// HasLiveCode reports whether the user has an unused code of kind
// unexpired at at.
func (s *Store) HasLiveCode(ctx context.Context, userID int64, kind identity.CodeKind, at time.Time) (ok bool, err error) {
	defer core.Op(&err, "sqlstore.HasLiveCode")
	var n int
	err = s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM codes
		WHERE user_id = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3`, userID, string(kind), micros(at)).Scan(&n)
	return n > 0, err
}

// InvalidateCodes marks the user's unused codes of kind used at at.
func (s *Store) InvalidateCodes(ctx context.Context, userID int64, kind identity.CodeKind, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.InvalidateCodes")
	_, err = s.q.ExecContext(ctx, `UPDATE codes SET used_at = $1 WHERE user_id = $2 AND kind = $3 AND used_at IS NULL`,
		micros(at), userID, string(kind))
	return err
}

// Purge deletes, in one transaction, what expired before before: sessions
// (their refresh tokens cascade) and refresh tokens, codes expired or used
// before it, MFA challenges expired before it, and messages sent, dropped
// or expired before it (an expired one still sealed carries a dead code: no
// worker of its channel ran).
func (s *Store) Purge(ctx context.Context, before time.Time) (err error) {
	defer core.Op(&err, "sqlstore.Purge")
	stmts := []string{
		`DELETE FROM refresh_tokens WHERE expires_at < $1`,
		`DELETE FROM sessions WHERE expires_at < $1`,
		`DELETE FROM codes WHERE expires_at < $1 OR used_at < $1`,
		`DELETE FROM mfa_challenges WHERE expires_at < $1`,
		`DELETE FROM outbox WHERE sent_at < $1 OR dropped_at < $1 OR expires_at < $1`,
		`DELETE FROM idempotency_keys WHERE expires_at < $1`,
	}
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		for _, q := range stmts {
			if _, err := ts.q.ExecContext(ctx, q, micros(before)); err != nil {
				return err
			}
		}
		return nil
	})
}
