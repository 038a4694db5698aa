package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (n int, err error) {
	defer core.Op(&err, "sqlstore.RecoveryCodesLeft")
	err = s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bank_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

const mfaColumns = `hash, user_id, door, client_id, stamp, attempts, max_attempts, created_at, expires_at, used_at`

func scanMFA(r scanner) (identity.MFAChallenge, error) {
	var c identity.MFAChallenge
	var created, expires int64
	var used sql.NullInt64
	err := r.Scan(&c.Hash, &c.UserID, &c.Door, &c.ClientID, &c.Stamp, &c.Attempts, &c.MaxAttempts, &created, &expires, &used)
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMicros(created), fromMicros(expires), timePtr(used)
	return c, err
}

// InsertMFAChallenge stores c; ErrNotFound when its user does not exist.
func (s *Store) InsertMFAChallenge(ctx context.Context, c *identity.MFAChallenge) (err error) {
	defer core.Op(&err, "sqlstore.InsertMFAChallenge")
	_, err = s.q.ExecContext(ctx, `INSERT INTO mfa_challenges (`+mfaColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.Hash, c.UserID, c.Door, c.ClientID, c.Stamp, c.Attempts, c.MaxAttempts, micros(c.CreatedAt), micros(c.ExpiresAt), nullMicros(c.UsedAt))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// MFAChallengeByHash returns the challenge or ErrNotFound.
func (s *Store) MFAChallengeByHash(ctx context.Context, hash []byte) (c identity.MFAChallenge, err error) {
	defer core.Op(&err, "sqlstore.MFAChallengeByHash")
	c, err = scanMFA(s.q.QueryRowContext(ctx, `SELECT `+mfaColumns+` FROM mfa_challenges WHERE hash = $1`, hash))
	return c, notFound(err)
}

// AttemptMFAChallenge counts an attempt in one conditional UPDATE …
// RETURNING: the database serialises concurrent attempts on the row, so
// no more than max_attempts are ever counted.
func (s *Store) AttemptMFAChallenge(ctx context.Context, hash []byte, at time.Time) (c identity.MFAChallenge, err error) {
	defer core.Op(&err, "sqlstore.AttemptMFAChallenge")
	c, err = scanMFA(s.q.QueryRowContext(ctx, `UPDATE mfa_challenges SET attempts = attempts + 1
		WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < max_attempts
		RETURNING `+mfaColumns, hash, micros(at)))
	if errors.Is(err, sql.ErrNoRows) {
		return identity.MFAChallenge{}, core.ErrNotFound
	}
	return c, err
}

// UseMFAChallenge marks the challenge used in one conditional UPDATE, so
// that one sign-in, and only one, completes it.
func (s *Store) UseMFAChallenge(ctx context.Context, hash []byte, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.UseMFAChallenge")
	res, err := s.q.ExecContext(ctx, `UPDATE mfa_challenges SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, micros(at), hash)
	if err != nil {
		return err
	}
	return mustAffect(res)
}
