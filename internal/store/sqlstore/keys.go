package sqlstore

import (
	"context"
	"fmt"
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

// UpdateKeys locks the use's row of key_locks (inserting it the first
// time), reads the keys, and stores fn's change, all in one transaction:
// on PostgreSQL the row lock makes a second node's UpdateKeys wait for the
// first to commit (its later statements then read what the first stored);
// on SQLite every writing transaction is already exclusive (BEGIN
// IMMEDIATE).
func (s *Store) UpdateKeys(ctx context.Context, use string, now time.Time, fn func([]keys.Record) (keys.Change, error)) (err error) {
	defer core.Op(&err, "sqlstore.UpdateKeys")
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		if _, err := ts.q.ExecContext(ctx, `INSERT INTO key_locks (key_use) VALUES ($1) ON CONFLICT DO NOTHING`, use); err != nil {
			return err
		}
		var locked string
		if err := ts.q.QueryRowContext(ctx, `SELECT key_use FROM key_locks WHERE key_use = $1`+ts.d.ForUpdate, use).Scan(&locked); err != nil {
			return err
		}
		recs, err := ts.Keys(ctx, use, now)
		if err != nil {
			return err
		}
		change, err := fn(recs)
		if err != nil {
			return err
		}
		for _, r := range change.Retire {
			if _, err := ts.q.ExecContext(ctx, `UPDATE keys SET retire_at = $1, expires_at = $2 WHERE kid = $3 AND key_use = $4`,
				micros(r.RetireAt), micros(r.ExpiresAt), r.KID, use); err != nil {
				return err
			}
		}
		if change.Insert == nil {
			return nil
		}
		if change.Insert.Use != use {
			return fmt.Errorf("inserting a %q key under the lock of %q", change.Insert.Use, use)
		}
		return ts.InsertKey(ctx, change.Insert)
	})
}
