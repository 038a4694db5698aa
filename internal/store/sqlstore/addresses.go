package sqlstore

import (
	"context"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// AddAddress inserts a, filling ID when empty; ErrAddressTaken when the
// user already has this address, ErrNotFound when the user does not exist.
func (s *Store) AddAddress(ctx context.Context, a *identity.Address) (err error) {
	defer core.Op(&err, "sqlstore.AddAddress")
	if a.ID == "" {
		a.ID = uuid.NewString()
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO addresses (id, user_id, address, chain, name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.ID, a.UserID, a.Address, a.Chain, a.Name, micros(a.CreatedAt))
	switch s.violation(err) {
	case UniqueViolation:
		return core.ErrAddressTaken.With(err)
	case ForeignKeyViolation:
		return core.ErrNotFound.With(err)
	}
	return err
}

// AddressesOf lists the user's addresses in the order they were added.
func (s *Store) AddressesOf(ctx context.Context, userID int64) (list []identity.Address, err error) {
	defer core.Op(&err, "sqlstore.AddressesOf")
	rows, err := s.q.QueryContext(ctx, `SELECT id, user_id, address, chain, name, created_at
		FROM addresses WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a identity.Address
		var created int64
		if err := rows.Scan(&a.ID, &a.UserID, &a.Address, &a.Chain, &a.Name, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMicros(created)
		list = append(list, a)
	}
	return list, rows.Err()
}

// DeleteAddress removes the user's address with this id; ErrNotFound when
// the user has none with it (the owner is in the WHERE, so one user can
// never remove another's).
func (s *Store) DeleteAddress(ctx context.Context, userID int64, id string) (err error) {
	defer core.Op(&err, "sqlstore.DeleteAddress")
	res, err := s.q.ExecContext(ctx, `DELETE FROM addresses WHERE user_id = $1 AND id = $2`, userID, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}
