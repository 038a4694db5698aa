package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// Device authorizations of the standard door (migration 0021_oauth_device,
// RFC 8628). Every change of state is one conditional UPDATE, whose
// condition is the contract: the row lock lets one of concurrent callers
// match.

const deviceAuthColumns = `device_hash, user_hash, client_id, scope, interval_s, created_at, expires_at, last_poll_at,
	slow_down, status, user_id, auth_time, amr, acr, browser_sid, user_agent, ip, decided_at, redeemed_at`

func scanDeviceAuth(r scanner) (oauth.DeviceAuth, error) {
	var d oauth.DeviceAuth
	var interval, created, expires, slow, authTime int64
	var lastPoll, userID, decided, redeemed sql.NullInt64
	var amr string
	if err := r.Scan(&d.DeviceHash, &d.UserHash, &d.ClientID, &d.Scope, &interval, &created, &expires, &lastPoll,
		&slow, &d.Status, &userID, &authTime, &amr, &d.ACR, &d.BrowserSID, &d.UserAgent, &d.IP, &decided, &redeemed); err != nil {
		return oauth.DeviceAuth{}, err
	}
	if err := fromJSON(amr, &d.AMR); err != nil {
		return oauth.DeviceAuth{}, err
	}
	if len(d.AMR) == 0 {
		d.AMR = nil
	}
	d.Interval = time.Duration(interval) * time.Second
	d.CreatedAt, d.ExpiresAt, d.LastPollAt = fromMicros(created), fromMicros(expires), timePtr(lastPoll)
	d.SlowDown, d.UserID = slow != 0, userID.Int64
	if authTime != 0 {
		d.AuthTime = fromMicros(authTime)
	}
	d.DecidedAt, d.RedeemedAt = timePtr(decided), timePtr(redeemed)
	return d, nil
}

// InsertDeviceAuth stores a pending authorization; ErrExists when either
// hash is taken.
func (s *Store) InsertDeviceAuth(ctx context.Context, d *oauth.DeviceAuth) (err error) {
	defer core.Op(&err, "sqlstore.InsertDeviceAuth")
	_, err = s.q.ExecContext(ctx, `INSERT INTO oauth_device_codes (device_hash, user_hash, client_id, scope, interval_s,
		created_at, expires_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		d.DeviceHash, d.UserHash, d.ClientID, d.Scope, int64(d.Interval/time.Second), micros(d.CreatedAt),
		micros(d.ExpiresAt), d.Status)
	if s.violation(err) == UniqueViolation {
		return core.ErrExists.With(err)
	}
	return err
}

// DeviceAuthByUserCode returns the authorization or ErrNotFound.
func (s *Store) DeviceAuthByUserCode(ctx context.Context, userHash []byte) (d oauth.DeviceAuth, err error) {
	defer core.Op(&err, "sqlstore.DeviceAuthByUserCode")
	d, err = scanDeviceAuth(s.q.QueryRowContext(ctx, `SELECT `+deviceAuthColumns+` FROM oauth_device_codes WHERE user_hash = $1`, userHash))
	return d, notFound(err)
}

// DecideDeviceAuth answers a pending, unexpired authorization in one
// conditional UPDATE; ErrNotFound when none matched (ForeignKeyViolation:
// no such user, likewise).
func (s *Store) DecideDeviceAuth(ctx context.Context, userHash []byte, d *oauth.DeviceAuth, now time.Time) (err error) {
	defer core.Op(&err, "sqlstore.DecideDeviceAuth")
	amr, err := jsonText(nonNil(d.AMR))
	if err != nil {
		return err
	}
	res, err := s.q.ExecContext(ctx, `UPDATE oauth_device_codes SET status = $2, user_id = $3, auth_time = $4, amr = $5,
		acr = $6, browser_sid = $7, user_agent = $8, ip = $9, decided_at = $10
		WHERE user_hash = $1 AND status = 'pending' AND expires_at > $10`,
		userHash, d.Status, d.UserID, micros(d.AuthTime), amr, d.ACR, d.BrowserSID, d.UserAgent, d.IP, micros(now))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// PollDeviceAuth paces and records a poll in one UPDATE … RETURNING: every
// expression of its SET reads the row as it was, so slow_down compares
// this poll with the previous one.
func (s *Store) PollDeviceAuth(ctx context.Context, deviceHash []byte, now time.Time) (d oauth.DeviceAuth, err error) {
	defer core.Op(&err, "sqlstore.PollDeviceAuth")
	d, err = scanDeviceAuth(s.q.QueryRowContext(ctx, `UPDATE oauth_device_codes SET
		slow_down = CASE WHEN last_poll_at IS NOT NULL AND $2 - last_poll_at < interval_s * 800000 THEN 1 ELSE 0 END,
		interval_s = CASE WHEN last_poll_at IS NOT NULL AND $2 - last_poll_at < interval_s * 800000 THEN interval_s + 5 ELSE interval_s END,
		last_poll_at = $2
		WHERE device_hash = $1 RETURNING `+deviceAuthColumns, deviceHash, micros(now)))
	return d, notFound(err)
}

// RedeemDeviceAuth moves an approved, unexpired authorization to redeemed.
func (s *Store) RedeemDeviceAuth(ctx context.Context, deviceHash []byte, now time.Time) (first bool, err error) {
	defer core.Op(&err, "sqlstore.RedeemDeviceAuth")
	res, err := s.q.ExecContext(ctx, `UPDATE oauth_device_codes SET status = 'redeemed', redeemed_at = $2
		WHERE device_hash = $1 AND status = 'approved' AND expires_at > $2`, deviceHash, micros(now))
	if err != nil {
		return false, err
	}
	err = mustAffect(res)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// PurgeDeviceAuths deletes authorizations that expired before before.
func (s *Store) PurgeDeviceAuths(ctx context.Context, before time.Time) (err error) {
	defer core.Op(&err, "sqlstore.PurgeDeviceAuths")
	_, err = s.q.ExecContext(ctx, `DELETE FROM oauth_device_codes WHERE expires_at < $1`, micros(before))
	return err
}
