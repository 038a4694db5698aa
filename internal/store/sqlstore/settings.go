package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Setting returns the value of key, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (v string, err error) {
	defer core.Op(&err, "sqlstore.Setting")
	err = s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", core.ErrNotFound
	}
	return v, err
}

// PutSettingOnce inserts key unless it exists; ON CONFLICT DO NOTHING makes
// the first of several starting nodes the one that decides.
func (s *Store) PutSettingOnce(ctx context.Context, key, value string, at time.Time) (stored bool, err error) {
	defer core.Op(&err, "sqlstore.PutSettingOnce")
	res, err := s.q.ExecContext(ctx, `INSERT INTO settings (key, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING`, key, value, micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// HasRole reports whether any user holds role.
func (s *Store) HasRole(ctx context.Context, role string) (has bool, err error) {
	defer core.Op(&err, "sqlstore.HasRole")
	err = s.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM user_roles WHERE role = $1)`, role).Scan(&has)
	return has, err
}
