package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
)

// CreateRegister inserts r, filling ID; ErrRegisterTaken on a duplicate
// fiscal number.
func (s *Store) CreateRegister(ctx context.Context, r *cashdesk.Register) (err error) {
	defer core.Op(&err, "sqlstore.CreateRegister")
	err = s.q.QueryRowContext(ctx, `INSERT INTO registers (fiscal_number, name, created_at) VALUES ($1, $2, $3)
		RETURNING id`, r.FiscalNumber, r.Name, micros(r.CreatedAt)).Scan(&r.ID)
	if s.violation(err) == UniqueViolation {
		return core.ErrRegisterTaken.With(err)
	}
	if r.UserIDs == nil {
		r.UserIDs = []int64{}
	}
	return err
}

// RegisterByID returns the register with its assigned users.
func (s *Store) RegisterByID(ctx context.Context, id int64) (cashdesk.Register, error) {
	list, err := s.registersWhere(ctx, `r.id = $1`, id)
	if err != nil {
		return cashdesk.Register{}, err
	}
	if len(list) == 0 {
		return cashdesk.Register{}, core.ErrNotFound
	}
	return list[0], nil
}

// Registers lists every register.
func (s *Store) Registers(ctx context.Context) ([]cashdesk.Register, error) {
	return s.registersWhere(ctx, `1 = 1`)
}

// RegistersOf lists the registers assigned to the user.
func (s *Store) RegistersOf(ctx context.Context, userID int64) ([]cashdesk.Register, error) {
	return s.registersWhere(ctx, `r.id IN (SELECT register_id FROM register_users WHERE user_id = $1)`, userID)
}

// registersWhere reads registers and their assignments in one query (a
// LEFT JOIN, ordered so that each register's rows are adjacent).
func (s *Store) registersWhere(ctx context.Context, cond string, args ...any) (list []cashdesk.Register, err error) {
	defer core.Op(&err, "sqlstore.registers")
	rows, err := s.q.QueryContext(ctx, `SELECT r.id, r.fiscal_number, r.name, r.created_at, ru.user_id
		FROM registers r LEFT JOIN register_users ru ON ru.register_id = r.id
		WHERE `+cond+` ORDER BY r.id, ru.user_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list = []cashdesk.Register{}
	for rows.Next() {
		var r cashdesk.Register
		var created int64
		var user sql.NullInt64
		if err := rows.Scan(&r.ID, &r.FiscalNumber, &r.Name, &created, &user); err != nil {
			return nil, err
		}
		if n := len(list); n == 0 || list[n-1].ID != r.ID {
			r.CreatedAt, r.UserIDs = fromMicros(created), []int64{}
			list = append(list, r)
		}
		if user.Valid {
			last := &list[len(list)-1]
			last.UserIDs = append(last.UserIDs, user.Int64)
		}
	}
	return list, rows.Err()
}

// AssignRegister links the user to the register, idempotently.
func (s *Store) AssignRegister(ctx context.Context, registerID, userID int64) (err error) {
	defer core.Op(&err, "sqlstore.AssignRegister")
	_, err = s.q.ExecContext(ctx, `INSERT INTO register_users (register_id, user_id) VALUES ($1, $2)
		ON CONFLICT (register_id, user_id) DO NOTHING`, registerID, userID)
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// UnassignRegister removes the link; ErrNotFound when there was none.
func (s *Store) UnassignRegister(ctx context.Context, registerID, userID int64) (err error) {
	defer core.Op(&err, "sqlstore.UnassignRegister")
	res, err := s.q.ExecContext(ctx, `DELETE FROM register_users WHERE register_id = $1 AND user_id = $2`, registerID, userID)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

const shiftColumns = `id, register_id, user_id, opened_at, closed_at`

// OpenShift inserts an open shift; the partial unique indexes on open
// shifts turn a second open of the register or the user into ErrShiftOpen.
func (s *Store) OpenShift(ctx context.Context, sh *cashdesk.Shift) (err error) {
	defer core.Op(&err, "sqlstore.OpenShift")
	err = s.q.QueryRowContext(ctx, `INSERT INTO shifts (register_id, user_id, opened_at) VALUES ($1, $2, $3)
		RETURNING id`, sh.RegisterID, sh.UserID, micros(sh.OpenedAt)).Scan(&sh.ID)
	switch s.violation(err) {
	case UniqueViolation:
		return core.ErrShiftOpen.With(err)
	case ForeignKeyViolation:
		return core.ErrNotFound.With(err)
	}
	sh.ClosedAt = nil
	return err
}

// CloseShift closes the user's open shift in one conditional UPDATE, so
// that of two concurrent closes one wins and the other sees ErrShiftClosed.
func (s *Store) CloseShift(ctx context.Context, userID, shiftID int64, at time.Time) (sh cashdesk.Shift, err error) {
	defer core.Op(&err, "sqlstore.CloseShift")
	row := s.q.QueryRowContext(ctx, `UPDATE shifts SET closed_at = $1
		WHERE id = $2 AND user_id = $3 AND closed_at IS NULL RETURNING `+shiftColumns, micros(at), shiftID, userID)
	sh, err = scanShift(row.Scan)
	if !errors.Is(err, sql.ErrNoRows) {
		return sh, err
	}
	row = s.q.QueryRowContext(ctx, `SELECT `+shiftColumns+` FROM shifts WHERE id = $1 AND user_id = $2`, shiftID, userID)
	if _, err := scanShift(row.Scan); err != nil {
		return cashdesk.Shift{}, notFound(err)
	}
	return cashdesk.Shift{}, core.ErrShiftClosed
}

// OpenShiftOf returns the user's open shift; ErrNotFound when none.
func (s *Store) OpenShiftOf(ctx context.Context, userID int64) (sh cashdesk.Shift, err error) {
	defer core.Op(&err, "sqlstore.OpenShiftOf")
	row := s.q.QueryRowContext(ctx, `SELECT `+shiftColumns+` FROM shifts WHERE user_id = $1 AND closed_at IS NULL`, userID)
	sh, err = scanShift(row.Scan)
	return sh, notFound(err)
}

func scanShift(scan func(...any) error) (cashdesk.Shift, error) {
	var sh cashdesk.Shift
	var opened int64
	var closed sql.NullInt64
	if err := scan(&sh.ID, &sh.RegisterID, &sh.UserID, &opened, &closed); err != nil {
		return cashdesk.Shift{}, err
	}
	sh.OpenedAt, sh.ClosedAt = fromMicros(opened), timePtr(closed)
	return sh, nil
}

// ShiftsOf pages through the user's shifts, newest opened first (the
// shifts_user index serves the order), and counts them.
func (s *Store) ShiftsOf(ctx context.Context, userID int64, limit, offset int) (list []cashdesk.Shift, total int, err error) {
	defer core.Op(&err, "sqlstore.ShiftsOf")
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM shifts WHERE user_id = $1`, userID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+shiftColumns+` FROM shifts WHERE user_id = $1
		ORDER BY opened_at DESC, id DESC LIMIT $2 OFFSET $3`, userID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list = []cashdesk.Shift{}
	for rows.Next() {
		sh, err := scanShift(rows.Scan)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, sh)
	}
	return list, total, rows.Err()
}
