package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

const apiKeyColumns = `id, user_id, name, prefix, hash, scopes, created_at, expires_at, last_used_at, revoked_at`

// InsertAPIKey stores k, filling ID when empty; ErrNotFound when the user
// does not exist.
func (s *Store) InsertAPIKey(ctx context.Context, k *identity.APIKey) (err error) {
	defer core.Op(&err, "sqlstore.InsertAPIKey")
	if k.ID == "" {
		k.ID = uuid.NewString()
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k.ID, k.UserID, k.Name, k.Prefix, k.Hash, strings.Join(k.Scopes, " "), micros(k.CreatedAt),
		nullMicros(k.ExpiresAt), nullMicros(k.LastUsedAt), nullMicros(k.RevokedAt))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// APIKeyByHash returns the key with this hash, whatever its state.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (k identity.APIKey, err error) {
	defer core.Op(&err, "sqlstore.APIKeyByHash")
	row := s.q.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = $1`, hash)
	k, err = scanAPIKey(row.Scan)
	return k, notFound(err)
}

// APIKeysOf lists the user's keys, newest first.
func (s *Store) APIKeysOf(ctx context.Context, userID int64) (list []identity.APIKey, err error) {
	defer core.Op(&err, "sqlstore.APIKeysOf")
	return collect(ctx, s.q, scanAPIKeyRow, `SELECT `+apiKeyColumns+` FROM api_keys WHERE user_id = $1
		ORDER BY created_at DESC, id DESC`, userID)
}

// RevokeAPIKey marks the user's key revoked, keeping the first revocation time.
func (s *Store) RevokeAPIKey(ctx context.Context, userID int64, id string, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.RevokeAPIKey")
	res, err := s.q.ExecContext(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1)
		WHERE id = $2 AND user_id = $3`, micros(at), id, userID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// RevokeAPIKeysOf revokes the user's active keys in one UPDATE … RETURNING,
// so that a key created concurrently is either listed or left alone, never
// revoked unreported.
func (s *Store) RevokeAPIKeysOf(ctx context.Context, userID int64, at time.Time) (list []identity.APIKey, err error) {
	defer core.Op(&err, "sqlstore.RevokeAPIKeysOf")
	list, err = collect(ctx, s.q, scanAPIKeyRow, `UPDATE api_keys SET revoked_at = $1
		WHERE user_id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
		RETURNING `+apiKeyColumns, micros(at), userID)
	for i := range list {
		list[i].RevokedAt = nil // as they were: active
	}
	return list, err
}

// TouchAPIKey records a use, at most once per every: the condition is in
// the UPDATE, so concurrent requests on several nodes write once.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time, every time.Duration) (err error) {
	defer core.Op(&err, "sqlstore.TouchAPIKey")
	_, err = s.q.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1
		WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`, micros(at), id, micros(at.Add(-every)))
	return err
}

func scanAPIKeyRow(r scanner) (identity.APIKey, error) { return scanAPIKey(r.Scan) }

func scanAPIKey(scan func(...any) error) (identity.APIKey, error) {
	var k identity.APIKey
	var scopes string
	var created int64
	var expires, used, revoked sql.NullInt64
	if err := scan(&k.ID, &k.UserID, &k.Name, &k.Prefix, &k.Hash, &scopes, &created, &expires, &used, &revoked); err != nil {
		return identity.APIKey{}, err
	}
	k.Scopes = strings.Fields(scopes)
	if k.Scopes == nil {
		k.Scopes = []string{}
	}
	k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt = fromMicros(created), timePtr(expires), timePtr(used), timePtr(revoked)
	return k, nil
}
