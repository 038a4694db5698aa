package sqlstore

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

const customerColumns = `id, name, external_id, branch_code, created_at, updated_at`

func scanCustomer(r scanner) (bank.Customer, error) {
	var c bank.Customer
	var created, updated int64
	err := r.Scan(&c.ID, &c.Name, &c.ExternalID, &c.BranchCode, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

// CreateCustomer inserts c, assigning the next free id when c.ID is zero;
// ErrExists when the id is taken.
func (s *Store) CreateCustomer(ctx context.Context, c *bank.Customer) (err error) {
	defer core.Op(&err, "sqlstore.CreateCustomer")
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		if c.ID == 0 {
			if err := ts.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM bank_customers`).Scan(&c.ID); err != nil {
				return err
			}
		}
		_, err := ts.q.ExecContext(ctx, `INSERT INTO bank_customers (`+customerColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.ID, c.Name, c.ExternalID, c.BranchCode, micros(c.CreatedAt), micros(c.UpdatedAt))
		if ts.violation(err) == UniqueViolation {
			return core.ErrExists.With(err)
		}
		return err
	})
}

// CustomerByID returns the customer or ErrNotFound.
func (s *Store) CustomerByID(ctx context.Context, id int64) (c bank.Customer, err error) {
	defer core.Op(&err, "sqlstore.CustomerByID")
	c, err = scanCustomer(s.q.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM bank_customers WHERE id = $1`, id))
	return c, notFound(err)
}

// ListCustomers returns a page of customers by id and the total.
func (s *Store) ListCustomers(ctx context.Context, limit, offset int) (list []bank.Customer, total int, err error) {
	defer core.Op(&err, "sqlstore.ListCustomers")
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bank_customers`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+customerColumns+` FROM bank_customers ORDER BY id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, c)
	}
	return list, total, rows.Err()
}

// UpdateCustomer reads the customer under a lock, applies fn and writes it back.
func (s *Store) UpdateCustomer(ctx context.Context, id int64, fn func(*bank.Customer) error) (c bank.Customer, err error) {
	defer core.Op(&err, "sqlstore.UpdateCustomer")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		cur, err := scanCustomer(ts.q.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM bank_customers WHERE id = $1`+ts.d.ForUpdate, id))
		if err != nil {
			return notFound(err)
		}
		if err := fn(&cur); err != nil {
			return err
		}
		cur.ID = id
		_, err = ts.q.ExecContext(ctx, `UPDATE bank_customers SET name = $2, external_id = $3, branch_code = $4,
			created_at = $5, updated_at = $6 WHERE id = $1`,
			id, cur.Name, cur.ExternalID, cur.BranchCode, micros(cur.CreatedAt), micros(cur.UpdatedAt))
		c = cur
		return err
	})
	if err != nil {
		return bank.Customer{}, err
	}
	return c, nil
}

// DeleteCustomer removes the customer; its memberships cascade.
func (s *Store) DeleteCustomer(ctx context.Context, id int64) (err error) {
	defer core.Op(&err, "sqlstore.DeleteCustomer")
	res, err := s.q.ExecContext(ctx, `DELETE FROM bank_customers WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

const roleColumns = `id, code, name, chains, device_skip, sign_level, version, created_at, updated_at`

func scanRole(r scanner) (bank.CustomerRole, error) {
	var x bank.CustomerRole
	var chains string
	var created, updated int64
	if err := r.Scan(&x.ID, &x.Code, &x.Name, &chains, &x.DeviceSkip, &x.SignLevel, &x.Version, &created, &updated); err != nil {
		return bank.CustomerRole{}, err
	}
	x.CreatedAt, x.UpdatedAt = fromMicros(created), fromMicros(updated)
	return x, fromJSON(chains, &x.Chains)
}

func chainsText(c [][]string) (string, error) {
	if c == nil {
		c = [][]string{}
	}
	return jsonText(c)
}

// CreateCustomerRole inserts r, filling ID; ErrExists when the code is taken.
func (s *Store) CreateCustomerRole(ctx context.Context, r *bank.CustomerRole) (err error) {
	defer core.Op(&err, "sqlstore.CreateCustomerRole")
	chains, err := chainsText(r.Chains)
	if err != nil {
		return err
	}
	err = s.q.QueryRowContext(ctx, `INSERT INTO bank_roles (code, name, chains, device_skip, sign_level, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.Code, r.Name, chains, r.DeviceSkip, r.SignLevel, r.Version, micros(r.CreatedAt), micros(r.UpdatedAt)).Scan(&r.ID)
	if s.violation(err) == UniqueViolation {
		return core.ErrExists.With(err)
	}
	return err
}

// CustomerRoleByID returns the role or ErrNotFound.
func (s *Store) CustomerRoleByID(ctx context.Context, id int64) (r bank.CustomerRole, err error) {
	defer core.Op(&err, "sqlstore.CustomerRoleByID")
	r, err = scanRole(s.q.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM bank_roles WHERE id = $1`, id))
	return r, notFound(err)
}

// ListCustomerRoles returns every role by id.
func (s *Store) ListCustomerRoles(ctx context.Context) (list []bank.CustomerRole, err error) {
	defer core.Op(&err, "sqlstore.ListCustomerRoles")
	rows, err := s.q.QueryContext(ctx, `SELECT `+roleColumns+` FROM bank_roles ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// UpdateCustomerRole reads the role under a lock, applies fn and writes it
// back; ErrExists when the new code is taken.
func (s *Store) UpdateCustomerRole(ctx context.Context, id int64, fn func(*bank.CustomerRole) error) (r bank.CustomerRole, err error) {
	defer core.Op(&err, "sqlstore.UpdateCustomerRole")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		cur, err := scanRole(ts.q.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM bank_roles WHERE id = $1`+ts.d.ForUpdate, id))
		if err != nil {
			return notFound(err)
		}
		if err := fn(&cur); err != nil {
			return err
		}
		cur.ID = id
		chains, err := chainsText(cur.Chains)
		if err != nil {
			return err
		}
		_, err = ts.q.ExecContext(ctx, `UPDATE bank_roles SET code = $2, name = $3, chains = $4, device_skip = $5,
			sign_level = $6, version = $7, created_at = $8, updated_at = $9 WHERE id = $1`,
			id, cur.Code, cur.Name, chains, cur.DeviceSkip, cur.SignLevel, cur.Version, micros(cur.CreatedAt), micros(cur.UpdatedAt))
		if ts.violation(err) == UniqueViolation {
			return core.ErrExists.With(err)
		}
		r = cur
		return err
	})
	if err != nil {
		return bank.CustomerRole{}, err
	}
	return r, nil
}

// DeleteCustomerRole removes the role; ErrInUse while a membership names it.
func (s *Store) DeleteCustomerRole(ctx context.Context, id int64) (err error) {
	defer core.Op(&err, "sqlstore.DeleteCustomerRole")
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bank_memberships WHERE role_id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return core.ErrInUse
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM bank_roles WHERE id = $1`, id)
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrInUse.With(err)
	}
	if err != nil {
		return err
	}
	return mustAffect(res)
}
