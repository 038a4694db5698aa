package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/idempotency"
)

// Requests made with an Idempotency-Key (idempotency.Store), migration
// 0009_idempotency.sql. Each step is one statement, atomic on both
// backends, so Begin needs no transaction of its own: of concurrent
// inserts of one id exactly one succeeds, and a takeover's conditions are
// checked again against the row the UPDATE locks.

const idemColumns = `id, request_hash, owner, lease_until, status, sealed, created_at, expires_at`

// BeginIdempotency takes the record's id, or returns the live record that has it.
func (s *Store) BeginIdempotency(ctx context.Context, rec idempotency.Record, now time.Time) (_ idempotency.Record, took bool, err error) {
	defer core.Op(&err, "sqlstore.BeginIdempotency")
	rec.Status, rec.Sealed = 0, nil
	// A record released (deleted) between the insert and the read is gone
	// when read: then the key is free, and the insert is tried again.
	for attempt := 0; attempt < 3; attempt++ {
		res, err := s.q.ExecContext(ctx, `INSERT INTO idempotency_keys (`+idemColumns+`)
			VALUES ($1, $2, $3, $4, 0, NULL, $5, $6) ON CONFLICT (id) DO NOTHING`,
			rec.ID, rec.RequestHash, rec.Owner, micros(rec.LeaseUntil), micros(rec.CreatedAt), micros(rec.ExpiresAt))
		if err != nil {
			return rec, false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return rec, err == nil, err
		}
		// Taken over: an expired record, or one whose request died
		// (lease over) and that this same request retries.
		res, err = s.q.ExecContext(ctx, `UPDATE idempotency_keys SET request_hash = $2, owner = $3, lease_until = $4,
			status = 0, sealed = NULL, created_at = $5, expires_at = $6
			WHERE id = $1 AND (expires_at <= $7 OR (status = 0 AND lease_until <= $7 AND request_hash = $2))`,
			rec.ID, rec.RequestHash, rec.Owner, micros(rec.LeaseUntil), micros(rec.CreatedAt), micros(rec.ExpiresAt), micros(now))
		if err != nil {
			return rec, false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return rec, err == nil, err
		}
		stored, err := scanIdem(s.q.QueryRowContext(ctx, `SELECT `+idemColumns+` FROM idempotency_keys WHERE id = $1`, rec.ID))
		if !errors.Is(err, sql.ErrNoRows) {
			return stored, false, err
		}
	}
	return rec, false, errors.New("the key was taken and released again and again")
}

func scanIdem(r scanner) (idempotency.Record, error) {
	var rec idempotency.Record
	var lease, created, expires int64
	err := r.Scan(&rec.ID, &rec.RequestHash, &rec.Owner, &lease, &rec.Status, &rec.Sealed, &created, &expires)
	rec.LeaseUntil, rec.CreatedAt, rec.ExpiresAt = fromMicros(lease), fromMicros(created), fromMicros(expires)
	return rec, err
}

// FinishIdempotency keeps the sealed reply of the record running under owner.
func (s *Store) FinishIdempotency(ctx context.Context, id []byte, owner string, status int, sealed []byte) (err error) {
	defer core.Op(&err, "sqlstore.FinishIdempotency")
	res, err := s.q.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, sealed = $4, owner = ''
		WHERE id = $1 AND owner = $2 AND status = 0`, id, owner, status, sealed)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// ReleaseIdempotency deletes the record if it still runs under owner.
func (s *Store) ReleaseIdempotency(ctx context.Context, id []byte, owner string) (err error) {
	defer core.Op(&err, "sqlstore.ReleaseIdempotency")
	_, err = s.q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE id = $1 AND owner = $2 AND status = 0`, id, owner)
	return err
}
