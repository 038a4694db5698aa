package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// The standard door's tables (migration 0015_oauth): authorization
// requests, codes and consents.

// PutAuthRequest keeps r; ErrExists when its id is taken.
func (s *Store) PutAuthRequest(ctx context.Context, r *oauth.Request) (err error) {
	defer core.Op(&err, "sqlstore.PutAuthRequest")
	params, err := jsonText(r)
	if err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO oauth_requests (id, client_id, params, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, r.ID, r.ClientID, params, micros(r.CreatedAt), micros(r.ExpiresAt))
	if s.violation(err) == UniqueViolation {
		return core.ErrExists.With(err)
	}
	return err
}

// AuthRequestByID returns the request or ErrNotFound.
func (s *Store) AuthRequestByID(ctx context.Context, id string) (r oauth.Request, err error) {
	defer core.Op(&err, "sqlstore.AuthRequestByID")
	var params string
	var created, expires int64
	err = s.q.QueryRowContext(ctx, `SELECT params, created_at, expires_at FROM oauth_requests WHERE id = $1`, id).
		Scan(&params, &created, &expires)
	if err != nil {
		return oauth.Request{}, notFound(err)
	}
	if err := fromJSON(params, &r); err != nil {
		return oauth.Request{}, err
	}
	r.ID, r.CreatedAt, r.ExpiresAt = id, fromMicros(created), fromMicros(expires)
	return r, nil
}

// DeleteAuthRequest removes the request; ErrNotFound when absent.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) (err error) {
	defer core.Op(&err, "sqlstore.DeleteAuthRequest")
	res, err := s.q.ExecContext(ctx, `DELETE FROM oauth_requests WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

const codeColumns = `hash, client_id, user_id, redirect_uri, scope, nonce, challenge, auth_time, amr, acr,
	browser_sid, user_agent, ip, created_at, expires_at, used_at, reused_at, session_id`

func scanCode(r scanner) (oauth.Code, error) {
	var c oauth.Code
	var amr string
	var authTime, created, expires int64
	var used, reused sql.NullInt64
	if err := r.Scan(&c.Hash, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Scope, &c.Nonce, &c.Challenge, &authTime,
		&amr, &c.ACR, &c.BrowserSID, &c.UserAgent, &c.IP, &created, &expires, &used, &reused, &c.SessionID); err != nil {
		return oauth.Code{}, err
	}
	if err := fromJSON(amr, &c.AMR); err != nil {
		return oauth.Code{}, err
	}
	if len(c.AMR) == 0 {
		c.AMR = nil
	}
	c.AuthTime, c.CreatedAt, c.ExpiresAt = fromMicros(authTime), fromMicros(created), fromMicros(expires)
	c.UsedAt, c.ReusedAt = timePtr(used), timePtr(reused)
	return c, nil
}

// InsertAuthCode stores c; ErrExists when its hash is taken, ErrNotFound when
// its user does not exist.
func (s *Store) InsertAuthCode(ctx context.Context, c *oauth.Code) (err error) {
	defer core.Op(&err, "sqlstore.InsertAuthCode")
	amr, err := jsonText(nonNil(c.AMR))
	if err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO oauth_codes (`+codeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		c.Hash, c.ClientID, c.UserID, c.RedirectURI, c.Scope, c.Nonce, c.Challenge, micros(c.AuthTime), amr, c.ACR,
		c.BrowserSID, c.UserAgent, c.IP, micros(c.CreatedAt), micros(c.ExpiresAt), nullMicros(c.UsedAt),
		nullMicros(c.ReusedAt), c.SessionID)
	switch s.violation(err) {
	case UniqueViolation:
		return core.ErrExists.With(err)
	case ForeignKeyViolation:
		return core.ErrNotFound.With(err)
	}
	return err
}

// RedeemCode marks the code used in one UPDATE whose condition is the
// contract (unused, unexpired): of concurrent callers, the row lock lets
// exactly one match; the others find it used and mark the reuse.
func (s *Store) RedeemCode(ctx context.Context, hash []byte, now time.Time) (c oauth.Code, first bool, err error) {
	defer core.Op(&err, "sqlstore.RedeemCode")
	c, err = scanCode(s.q.QueryRowContext(ctx, `UPDATE oauth_codes SET used_at = $2
		WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+codeColumns, hash, micros(now)))
	if err == nil {
		return c, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return oauth.Code{}, false, err
	}
	c, err = scanCode(s.q.QueryRowContext(ctx, `UPDATE oauth_codes SET reused_at = COALESCE(reused_at, $2)
		WHERE hash = $1 AND used_at IS NOT NULL RETURNING `+codeColumns, hash, micros(now)))
	if err == nil {
		return c, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return oauth.Code{}, false, err
	}
	c, err = scanCode(s.q.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM oauth_codes WHERE hash = $1`, hash))
	return c, false, notFound(err)
}

// BindCodeSession sets the code's session and reads its reuse in one
// UPDATE … RETURNING.
func (s *Store) BindCodeSession(ctx context.Context, hash []byte, sessionID string) (reused bool, err error) {
	defer core.Op(&err, "sqlstore.BindCodeSession")
	var at sql.NullInt64
	err = s.q.QueryRowContext(ctx, `UPDATE oauth_codes SET session_id = $2 WHERE hash = $1 RETURNING reused_at`,
		hash, sessionID).Scan(&at)
	if err != nil {
		return false, notFound(err)
	}
	return at.Valid, nil
}

// PutConsent inserts or replaces the consent of (user, client).
func (s *Store) PutConsent(ctx context.Context, c *oauth.Consent) (err error) {
	defer core.Op(&err, "sqlstore.PutConsent")
	_, err = s.q.ExecContext(ctx, `INSERT INTO oauth_consents (user_id, client_id, scope, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at`,
		c.UserID, c.ClientID, c.Scope, micros(c.CreatedAt), micros(c.UpdatedAt))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

const consentColumns = `user_id, client_id, scope, created_at, updated_at`

func scanConsent(r scanner) (oauth.Consent, error) {
	var c oauth.Consent
	var created, updated int64
	if err := r.Scan(&c.UserID, &c.ClientID, &c.Scope, &created, &updated); err != nil {
		return oauth.Consent{}, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// ConsentOf returns the consent or ErrNotFound.
func (s *Store) ConsentOf(ctx context.Context, userID int64, clientID string) (c oauth.Consent, err error) {
	defer core.Op(&err, "sqlstore.ConsentOf")
	c, err = scanConsent(s.q.QueryRowContext(ctx, `SELECT `+consentColumns+` FROM oauth_consents
		WHERE user_id = $1 AND client_id = $2`, userID, clientID))
	return c, notFound(err)
}

// ConsentsOf lists the user's consents by client id.
func (s *Store) ConsentsOf(ctx context.Context, userID int64) (list []oauth.Consent, err error) {
	defer core.Op(&err, "sqlstore.ConsentsOf")
	rows, err := s.q.QueryContext(ctx, `SELECT `+consentColumns+` FROM oauth_consents WHERE user_id = $1
		ORDER BY client_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// DeleteConsent removes the consent; ErrNotFound when absent.
func (s *Store) DeleteConsent(ctx context.Context, userID int64, clientID string) (err error) {
	defer core.Op(&err, "sqlstore.DeleteConsent")
	res, err := s.q.ExecContext(ctx, `DELETE FROM oauth_consents WHERE user_id = $1 AND client_id = $2`, userID, clientID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// PurgeOAuth deletes requests, codes and assertion records that expired
// before before.
func (s *Store) PurgeOAuth(ctx context.Context, before time.Time) (err error) {
	defer core.Op(&err, "sqlstore.PurgeOAuth")
	if _, err := s.q.ExecContext(ctx, `DELETE FROM oauth_requests WHERE expires_at < $1`, micros(before)); err != nil {
		return err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM oauth_codes WHERE expires_at < $1`, micros(before)); err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `DELETE FROM oauth_assertions WHERE expires_at < $1`, micros(before))
	return err
}

// UseAssertion records the client assertion (client, jti) until expires
// (migration 0022): one statement, whose primary key lets exactly one of
// racing inserts through; a row whose assertion expired by now is taken
// over, so a jti may come back once its first use can no longer be
// replayed.
func (s *Store) UseAssertion(ctx context.Context, clientID, jti string, expires, now time.Time) (first bool, err error) {
	defer core.Op(&err, "sqlstore.UseAssertion")
	res, err := s.q.ExecContext(ctx, `INSERT INTO oauth_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
		WHERE oauth_assertions.expires_at <= $4`, clientID, jti, micros(expires), micros(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
