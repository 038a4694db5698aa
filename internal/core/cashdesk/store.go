package cashdesk

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Store is the storage the cashdesk domain consumes: its Records, and
// transactions over them.
type Store interface {
	// Tx runs fn in one transaction; fn receives a Store bound to it. The
	// transaction commits when fn returns nil and rolls back otherwise.
	Tx(ctx context.Context, fn func(Store) error) error
	Records
}

// Records keep the cashdesk door's registry: cashier profiles, developers,
// cash registers and shifts. One SQL implementation (store/sqlstore) serves
// them on every backend, and one conformance suite (store/storetest) checks
// it. Methods return core.ErrNotFound for a missing row; any error not
// named is internal.
type Records interface {
	identity.AuditWriter // the audit row of a change commits with it

	// Cashier profiles.
	// CashierProfile returns the user's profile; ErrNotFound when none was ever written.
	CashierProfile(ctx context.Context, userID int64) (CashierProfile, error)
	// UpdateCashierProfile reads the profile (a zero one with UserID set when
	// none exists), applies fn and writes the result atomically (fn may run
	// more than once on retry). ErrNotFound when the user, or the developer
	// the profile names, does not exist.
	UpdateCashierProfile(ctx context.Context, userID int64, fn func(*CashierProfile) error) (CashierProfile, error)

	// Developers (the integrators whose software a cashier works through).
	CreateDeveloper(ctx context.Context, d *Developer) error
	// DeveloperByID returns ErrNotFound when absent.
	DeveloperByID(ctx context.Context, id int64) (Developer, error)
	Developers(ctx context.Context) ([]Developer, error)

	// Cash registers. Each lists its assigned users in UserIDs (ascending).
	// CreateRegister fills ID; ErrRegisterTaken when the fiscal number exists.
	CreateRegister(ctx context.Context, r *Register) error
	// RegisterByID returns ErrNotFound when absent.
	RegisterByID(ctx context.Context, id int64) (Register, error)
	// Registers lists every register by ID.
	Registers(ctx context.Context) ([]Register, error)
	// AssignRegister lets the user work on the register; assigning twice is
	// not an error. ErrNotFound when the register or the user does not exist.
	AssignRegister(ctx context.Context, registerID, userID int64) error
	// UnassignRegister returns ErrNotFound when the user is not assigned.
	UnassignRegister(ctx context.Context, registerID, userID int64) error
	// RegistersOf lists the registers assigned to the user, by ID.
	RegistersOf(ctx context.Context, userID int64) ([]Register, error)

	// Shifts.
	// OpenShift inserts s (ClosedAt nil), filling ID. ErrShiftOpen when the
	// register or the user already has an open shift: of concurrent callers
	// exactly one succeeds. ErrNotFound when the register or user is absent.
	OpenShift(ctx context.Context, s *Shift) error
	// CloseShift sets ClosedAt of the user's shift; ErrNotFound when the user
	// has no shift with this id, ErrShiftClosed when it is already closed.
	CloseShift(ctx context.Context, userID, shiftID int64, at time.Time) (Shift, error)
	// OpenShiftOf returns the user's open shift; ErrNotFound when none.
	OpenShiftOf(ctx context.Context, userID int64) (Shift, error)
	// ShiftsOf pages through the user's shifts, open and closed, newest
	// opened first (ties by id, newest first), and counts them all.
	ShiftsOf(ctx context.Context, userID int64, limit, offset int) ([]Shift, int, error)
}
