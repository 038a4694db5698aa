package sqlstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/keys"
)

// InsertKey stores k.
func (s *Store) InsertKey(ctx context.Context, k *keys.Record) (err error) {
	defer core.Op(&err, "sqlstore.InsertKey")
	_, err = s.q.ExecContext(ctx, `INSERT INTO keys (kid, key_use, alg, private_sealed, public_pem,
		created_at, active_from, retire_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		k.KID, k.Use, k.Alg, k.PrivateSealed, k.PublicPEM,
		micros(k.CreatedAt), micros(k.ActiveFrom), micros(k.RetireAt), micros(k.ExpiresAt))
	return err
}

// Keys returns the keys of use not expired at now, newest first.
func (s *Store) Keys(ctx context.Context, use string, now time.Time) (list []keys.Record, err error) {
	defer core.Op(&err, "sqlstore.Keys")
	rows, err := s.q.QueryContext(ctx, `SELECT kid, key_use, alg, private_sealed, public_pem,
		created_at, active_from, retire_at, expires_at FROM keys
		WHERE key_use = $1 AND expires_at > $2 ORDER BY created_at DESC, kid DESC`, use, micros(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k keys.Record
		var created, active, retire, expires int64
		err := rows.Scan(&k.KID, &k.Use, &k.Alg, &k.PrivateSealed, &k.PublicPEM, &created, &active, &retire, &expires)
		if err != nil {
			return nil, err
		}
		k.CreatedAt, k.ActiveFrom, k.RetireAt, k.ExpiresAt = fromMicros(created), fromMicros(active), fromMicros(retire), fromMicros(expires)
		list = append(list, k)
	}
	return list, rows.Err()
}
