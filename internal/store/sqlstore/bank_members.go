package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// memberSelect reads memberships with their customer and role in one join.
const memberSelect = `SELECT m.id, m.user_id, m.customer_id, m.role_id, m.created_at,
	c.id, c.name, c.external_id, c.branch_code, c.created_at, c.updated_at,
	r.id, r.code, r.name, r.chains, r.device_skip, r.sign_level, r.version, r.created_at, r.updated_at
	FROM bank_memberships m
	JOIN bank_customers c ON c.id = m.customer_id
	JOIN bank_roles r ON r.id = m.role_id`

func scanMember(r scanner) (bank.Membership, error) {
	var m bank.Membership
	var created, cc, cu, rc, ru int64
	var chains string
	err := r.Scan(&m.ID, &m.UserID, &m.CustomerID, &m.RoleID, &created,
		&m.Customer.ID, &m.Customer.Name, &m.Customer.ExternalID, &m.Customer.BranchCode, &cc, &cu,
		&m.Role.ID, &m.Role.Code, &m.Role.Name, &chains, &m.Role.DeviceSkip, &m.Role.SignLevel, &m.Role.Version, &rc, &ru)
	if err != nil {
		return bank.Membership{}, err
	}
	m.CreatedAt = fromMicros(created)
	m.Customer.CreatedAt, m.Customer.UpdatedAt = fromMicros(cc), fromMicros(cu)
	m.Role.CreatedAt, m.Role.UpdatedAt = fromMicros(rc), fromMicros(ru)
	return m, fromJSON(chains, &m.Role.Chains)
}

func (s *Store) members(ctx context.Context, where string, args ...any) (list []bank.Membership, err error) {
	rows, err := s.q.QueryContext(ctx, memberSelect+` WHERE `+where+` ORDER BY m.customer_id, m.user_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

// PutMembership inserts the (user, customer) membership or changes its
// role, filling m.ID; ErrNotFound when the user, customer or role is missing.
func (s *Store) PutMembership(ctx context.Context, m *bank.Membership) (err error) {
	defer core.Op(&err, "sqlstore.PutMembership")
	err = s.q.QueryRowContext(ctx, `INSERT INTO bank_memberships (user_id, customer_id, role_id, created_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, customer_id) DO UPDATE SET role_id = excluded.role_id
		RETURNING id`, m.UserID, m.CustomerID, m.RoleID, micros(m.CreatedAt)).Scan(&m.ID)
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// MembershipOf returns the user's membership in the customer or ErrNotFound.
func (s *Store) MembershipOf(ctx context.Context, userID, customerID int64) (m bank.Membership, err error) {
	defer core.Op(&err, "sqlstore.MembershipOf")
	m, err = scanMember(s.q.QueryRowContext(ctx, memberSelect+` WHERE m.user_id = $1 AND m.customer_id = $2`, userID, customerID))
	return m, notFound(err)
}

// MembershipsOfUser lists the user's memberships by customer id.
func (s *Store) MembershipsOfUser(ctx context.Context, userID int64) (list []bank.Membership, err error) {
	defer core.Op(&err, "sqlstore.MembershipsOfUser")
	return s.members(ctx, `m.user_id = $1`, userID)
}

// MembersOf lists the customer's memberships by user id.
func (s *Store) MembersOf(ctx context.Context, customerID int64) (list []bank.Membership, err error) {
	defer core.Op(&err, "sqlstore.MembersOf")
	return s.members(ctx, `m.customer_id = $1`, customerID)
}

// DeleteMembership removes the membership; ErrNotFound when absent.
func (s *Store) DeleteMembership(ctx context.Context, userID, customerID int64) (err error) {
	defer core.Op(&err, "sqlstore.DeleteMembership")
	res, err := s.q.ExecContext(ctx, `DELETE FROM bank_memberships WHERE user_id = $1 AND customer_id = $2`, userID, customerID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// PutBankProfile inserts or replaces the user's profile; ErrExists when
// another user has the IIN, ErrNotFound when the user does not exist.
func (s *Store) PutBankProfile(ctx context.Context, p *bank.Profile) (err error) {
	defer core.Op(&err, "sqlstore.PutBankProfile")
	_, err = s.q.ExecContext(ctx, `INSERT INTO bank_profiles (user_id, iin, phone, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET iin = excluded.iin, phone = excluded.phone, updated_at = excluded.updated_at`,
		p.UserID, p.IIN, p.Phone, micros(p.UpdatedAt))
	switch s.violation(err) {
	case UniqueViolation:
		return core.ErrExists.With(err)
	case ForeignKeyViolation:
		return core.ErrNotFound.With(err)
	}
	return err
}

func (s *Store) profile(ctx context.Context, where string, arg any) (p bank.Profile, err error) {
	var updated int64
	err = s.q.QueryRowContext(ctx, `SELECT user_id, iin, phone, updated_at FROM bank_profiles WHERE `+where, arg).
		Scan(&p.UserID, &p.IIN, &p.Phone, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return bank.Profile{}, core.ErrNotFound
	}
	p.UpdatedAt = fromMicros(updated)
	return p, err
}

// BankProfileOf returns the user's profile or ErrNotFound.
func (s *Store) BankProfileOf(ctx context.Context, userID int64) (p bank.Profile, err error) {
	defer core.Op(&err, "sqlstore.BankProfileOf")
	return s.profile(ctx, `user_id = $1`, userID)
}

// BankProfileByIIN returns the profile with the IIN or ErrNotFound.
func (s *Store) BankProfileByIIN(ctx context.Context, iin string) (p bank.Profile, err error) {
	defer core.Op(&err, "sqlstore.BankProfileByIIN")
	return s.profile(ctx, `iin = $1`, iin)
}
