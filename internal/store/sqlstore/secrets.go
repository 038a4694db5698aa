package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// SealedSecret returns the sealed value of the secret name, or ErrNotFound.
func (s *Store) SealedSecret(ctx context.Context, name string) (sealed []byte, err error) {
	defer core.Op(&err, "sqlstore.SealedSecret")
	err = s.q.QueryRowContext(ctx, `SELECT sealed FROM secrets WHERE name = $1`, name).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.ErrNotFound
	}
	return sealed, err
}

// PutSealedSecretOnce inserts the secret unless one of that name exists;
// ON CONFLICT DO NOTHING makes the first of several starting nodes the one
// that decides. It reports whether this call stored it.
func (s *Store) PutSealedSecretOnce(ctx context.Context, name string, sealed []byte, at time.Time) (stored bool, err error) {
	defer core.Op(&err, "sqlstore.PutSealedSecretOnce")
	res, err := s.q.ExecContext(ctx, `INSERT INTO secrets (name, sealed, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, sealed, micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
