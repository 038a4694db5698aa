package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

const deviceColumns = `id, user_id, fingerprint_hash, name, created_at, last_used_at`

func scanDevice(r scanner) (identity.Device, error) {
	var d identity.Device
	var created, used int64
	err := r.Scan(&d.ID, &d.UserID, &d.FingerprintHash, &d.Name, &created, &used)
	d.CreatedAt, d.LastUsedAt = fromMicros(created), fromMicros(used)
	return d, err
}

// AddDevice inserts d or, when the user already trusts the fingerprint,
// refreshes its name and last use; d.ID is the stored id either way.
func (s *Store) AddDevice(ctx context.Context, d *identity.Device) (err error) {
	defer core.Op(&err, "sqlstore.AddDevice")
	err = s.q.QueryRowContext(ctx, `INSERT INTO bank_devices (`+deviceColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (user_id, fingerprint_hash) DO UPDATE SET name = excluded.name, last_used_at = excluded.last_used_at
		RETURNING id, created_at`, d.ID, d.UserID, d.FingerprintHash, d.Name, micros(d.CreatedAt), micros(d.LastUsedAt)).
		Scan(&d.ID, new(int64))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// DeviceByFingerprint returns the user's device with this hash or ErrNotFound.
func (s *Store) DeviceByFingerprint(ctx context.Context, userID int64, hash []byte) (d identity.Device, err error) {
	defer core.Op(&err, "sqlstore.DeviceByFingerprint")
	d, err = scanDevice(s.q.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM bank_devices
		WHERE user_id = $1 AND fingerprint_hash = $2`, userID, hash))
	return d, notFound(err)
}

// DevicesOf lists the user's devices, most recently trusted first.
func (s *Store) DevicesOf(ctx context.Context, userID int64) (list []identity.Device, err error) {
	defer core.Op(&err, "sqlstore.DevicesOf")
	return collect(ctx, s.q, scanDevice, `SELECT `+deviceColumns+` FROM bank_devices WHERE user_id = $1
		ORDER BY created_at DESC, id`, userID)
}

// DeleteDevice removes the user's device; ErrNotFound when it is not theirs.
func (s *Store) DeleteDevice(ctx context.Context, userID int64, id string) (err error) {
	defer core.Op(&err, "sqlstore.DeleteDevice")
	res, err := s.q.ExecContext(ctx, `DELETE FROM bank_devices WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// DeleteDevicesOf removes every device of the user in one DELETE … RETURNING.
func (s *Store) DeleteDevicesOf(ctx context.Context, userID int64) (list []identity.Device, err error) {
	defer core.Op(&err, "sqlstore.DeleteDevicesOf")
	return collect(ctx, s.q, scanDevice, `DELETE FROM bank_devices WHERE user_id = $1 RETURNING `+deviceColumns, userID)
}

// PutTOTP inserts or replaces the user's (unconfirmed) secret.
func (s *Store) PutTOTP(ctx context.Context, t *identity.TOTPSecret) (err error) {
	defer core.Op(&err, "sqlstore.PutTOTP")
	_, err = s.q.ExecContext(ctx, `INSERT INTO bank_totp (user_id, sealed, confirmed_at, last_step, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, confirmed_at = excluded.confirmed_at,
		last_step = excluded.last_step, created_at = excluded.created_at`,
		t.UserID, t.Sealed, nullMicros(t.ConfirmedAt), t.LastStep, micros(t.CreatedAt))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// TOTPOf returns the user's secret or ErrNotFound.
func (s *Store) TOTPOf(ctx context.Context, userID int64) (t identity.TOTPSecret, err error) {
	defer core.Op(&err, "sqlstore.TOTPOf")
	var confirmed sql.NullInt64
	var created int64
	err = s.q.QueryRowContext(ctx, `SELECT user_id, sealed, confirmed_at, last_step, created_at FROM bank_totp WHERE user_id = $1`, userID).
		Scan(&t.UserID, &t.Sealed, &confirmed, &t.LastStep, &created)
	if err != nil {
		return identity.TOTPSecret{}, notFound(err)
	}
	t.ConfirmedAt, t.CreatedAt = timePtr(confirmed), fromMicros(created)
	return t, nil
}

// ConfirmTOTP marks the user's secret confirmed; ErrNotFound when none.
func (s *Store) ConfirmTOTP(ctx context.Context, userID int64, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.ConfirmTOTP")
	res, err := s.q.ExecContext(ctx, `UPDATE bank_totp SET confirmed_at = $1 WHERE user_id = $2`, micros(at), userID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// UseTOTPStep raises last_step to step in one conditional UPDATE: only a
// later step matches, so a code is accepted once however many race.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (ok bool, err error) {
	defer core.Op(&err, "sqlstore.UseTOTPStep")
	res, err := s.q.ExecContext(ctx, `UPDATE bank_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1`, step, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteTOTP removes the user's secret and recovery codes.
func (s *Store) DeleteTOTP(ctx context.Context, userID int64) (err error) {
	defer core.Op(&err, "sqlstore.DeleteTOTP")
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		if _, err := ts.q.ExecContext(ctx, `DELETE FROM bank_recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		res, err := ts.q.ExecContext(ctx, `DELETE FROM bank_totp WHERE user_id = $1`, userID)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
}

// ReplaceRecoveryCodes drops the user's codes and stores the new hashes.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.ReplaceRecoveryCodes")
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		if _, err := ts.q.ExecContext(ctx, `DELETE FROM bank_recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := ts.q.ExecContext(ctx, `INSERT INTO bank_recovery_codes (user_id, hash, created_at) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, userID, h, micros(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseRecoveryCode marks the unused code used in one conditional UPDATE;
// ErrCodeInvalid when there is none.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.UseRecoveryCode")
	res, err := s.q.ExecContext(ctx, `UPDATE bank_recovery_codes SET used_at = $1
		WHERE user_id = $2 AND hash = $3 AND used_at IS NULL`, micros(at), userID, hash)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return core.ErrCodeInvalid
	}
	return nil
}

const otpColumns = `session_id, factor, code_hash, destination, attempts, max_attempts, sends, created_at, expires_at, used_at`

func scanOTP(r scanner) (bank.OTPChallenge, error) {
	var c bank.OTPChallenge
	var created, expires int64
	var used sql.NullInt64
	err := r.Scan(&c.SessionID, &c.Factor, &c.CodeHash, &c.Destination, &c.Attempts, &c.MaxAttempts, &c.Sends,
		&created, &expires, &used)
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMicros(created), fromMicros(expires), timePtr(used)
	return c, err
}

// PutOTP inserts or replaces the session's challenge for the factor.
func (s *Store) PutOTP(ctx context.Context, c *bank.OTPChallenge) (err error) {
	defer core.Op(&err, "sqlstore.PutOTP")
	_, err = s.q.ExecContext(ctx, `INSERT INTO bank_otp (`+otpColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (session_id, factor) DO UPDATE SET code_hash = excluded.code_hash, destination = excluded.destination,
		attempts = excluded.attempts, max_attempts = excluded.max_attempts, sends = excluded.sends,
		created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = excluded.used_at`,
		c.SessionID, c.Factor, c.CodeHash, c.Destination, c.Attempts, c.MaxAttempts, c.Sends,
		micros(c.CreatedAt), micros(c.ExpiresAt), nullMicros(c.UsedAt))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// OTPOf returns the session's challenge for the factor or ErrNotFound.
func (s *Store) OTPOf(ctx context.Context, sessionID, factor string) (c bank.OTPChallenge, err error) {
	defer core.Op(&err, "sqlstore.OTPOf")
	c, err = scanOTP(s.q.QueryRowContext(ctx, `SELECT `+otpColumns+` FROM bank_otp WHERE session_id = $1 AND factor = $2`, sessionID, factor))
	return c, notFound(err)
}

// AttemptOTP counts an attempt and, when the hash matches, marks the code
// used, in one conditional UPDATE … RETURNING: the database serialises
// concurrent attempts on the row, so no more than max_attempts are ever
// counted and exactly one right code succeeds.
func (s *Store) AttemptOTP(ctx context.Context, sessionID, factor string, hash []byte, at time.Time) (c bank.OTPChallenge, ok bool, err error) {
	defer core.Op(&err, "sqlstore.AttemptOTP")
	c, err = scanOTP(s.q.QueryRowContext(ctx, `UPDATE bank_otp SET attempts = attempts + 1,
		used_at = CASE WHEN code_hash = $1 THEN $2 ELSE NULL END
		WHERE session_id = $3 AND factor = $4 AND used_at IS NULL AND expires_at > $2 AND attempts < max_attempts
		RETURNING `+otpColumns, hash, micros(at), sessionID, factor))
	if errors.Is(err, sql.ErrNoRows) {
		return bank.OTPChallenge{}, false, core.ErrNotFound
	}
	if err != nil {
		return bank.OTPChallenge{}, false, err
	}
	return c, c.UsedAt != nil, nil
}
