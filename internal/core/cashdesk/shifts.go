package cashdesk

import (
	"context"
	"errors"
	"slices"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Registers lists every cash register (the operator's view).
func (s *Service) Registers(ctx context.Context) ([]Register, error) { return s.store.Registers(ctx) }

// AssignRegister lets the user open shifts on the register.
func (s *Service) AssignRegister(ctx context.Context, registerID, userID int64) (Register, error) {
	e := identity.AdminEvent(identity.AuditAdminRegister, "assigned", idString(registerID))
	e.UserID = userID
	if err := s.audited(ctx, e, func(tx Store) error { return tx.AssignRegister(ctx, registerID, userID) }); err != nil {
		return Register{}, err
	}
	return s.store.RegisterByID(ctx, registerID)
}

// UnassignRegister withdraws the register from the user. A shift the user
// has open on it stays open until the user closes it: a shift is a fiscal
// fact, not a permission.
func (s *Service) UnassignRegister(ctx context.Context, registerID, userID int64) (Register, error) {
	e := identity.AdminEvent(identity.AuditAdminRegister, "unassigned", idString(registerID))
	e.UserID = userID
	if err := s.audited(ctx, e, func(tx Store) error { return tx.UnassignRegister(ctx, registerID, userID) }); err != nil {
		return Register{}, err
	}
	return s.store.RegisterByID(ctx, registerID)
}

// RegistersOf lists the registers assigned to the user.
func (s *Service) RegistersOf(ctx context.Context, userID int64) ([]Register, error) {
	return s.store.RegistersOf(ctx, userID)
}

// OpenShift opens a shift of the user on a register assigned to them.
// ErrNotFound for an unknown register, ErrRegisterNotAssigned when it is not
// the user's, ErrShiftOpen when the register or the user has one open.
func (s *Service) OpenShift(ctx context.Context, userID, registerID int64) (sh Shift, err error) {
	defer core.Op(&err, "OpenShift")
	r, err := s.store.RegisterByID(ctx, registerID)
	if err != nil {
		return Shift{}, err
	}
	if !slices.Contains(r.UserIDs, userID) {
		return Shift{}, core.ErrRegisterNotAssigned
	}
	sh = Shift{RegisterID: registerID, UserID: userID, OpenedAt: s.now()}
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.OpenShift(ctx, &sh); err != nil {
			return err
		}
		return s.identity.Audit(ctx, tx, identity.AuditEvent{Type: identity.AuditShiftOpened, UserID: userID, Actor: identity.ActorFor(ctx, userID), Subject: idString(sh.ID),
			Detail: map[string]string{"register_id": idString(registerID), "fiscal_number": r.FiscalNumber}})
	})
	return sh, err
}

// CloseShift closes the user's shift. ErrNotFound when it is not theirs,
// ErrShiftClosed when already closed.
func (s *Service) CloseShift(ctx context.Context, userID, shiftID int64) (sh Shift, err error) {
	err = s.store.Tx(ctx, func(tx Store) (err error) {
		if sh, err = tx.CloseShift(ctx, userID, shiftID, s.now()); err != nil {
			return err
		}
		return s.identity.Audit(ctx, tx, identity.AuditEvent{Type: identity.AuditShiftClosed, UserID: userID, Actor: identity.ActorFor(ctx, userID), Subject: idString(shiftID),
			Detail: map[string]string{"register_id": idString(sh.RegisterID)}})
	})
	return sh, err
}

// ShiftsOf pages through the user's shifts, open and closed, newest
// opened first: limit rows (1–500) from offset (≥ 0), and the total.
// Invalid "invalid_paging" outside those bounds. A cashier's history is
// their own shifts on any register, including registers since withdrawn
// from them; another cashier's shifts on a shared register are not theirs
// to read.
func (s *Service) ShiftsOf(ctx context.Context, userID int64, limit, offset int) ([]Shift, int, error) {
	if limit < 1 || limit > 500 || offset < 0 {
		return nil, 0, core.Invalid("invalid_paging", "limit", "limit must be 1–500 and offset not negative")
	}
	return s.store.ShiftsOf(ctx, userID, limit, offset)
}

// CashierState is what the cashdesk API's authenticate answer reports beyond the
// token: the profile, whether the user has registers (active_rro) and the
// open shift, if any (opened_shift).
type CashierState struct {
	Profile   CashierProfile
	ActiveRRO bool
	OpenShift *Shift
}

// CashierState gathers the user's cashdesk state.
func (s *Service) CashierState(ctx context.Context, userID int64) (st CashierState, err error) {
	defer core.Op(&err, "CashierState")
	if st.Profile, err = s.Cashier(ctx, userID); err != nil {
		return CashierState{}, err
	}
	regs, err := s.store.RegistersOf(ctx, userID)
	if err != nil {
		return CashierState{}, err
	}
	st.ActiveRRO = len(regs) > 0
	sh, err := s.store.OpenShiftOf(ctx, userID)
	switch {
	case err == nil:
		st.OpenShift = &sh
	case !errors.Is(err, core.ErrNotFound):
		return CashierState{}, err
	}
	return st, nil
}
