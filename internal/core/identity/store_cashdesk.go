package identity

import (
	"context"
	"time"
)

// CashdeskStore is the storage of permanent API keys (used by every door)
// and of the cashdesk door's registry: cashier profiles, developers, cash
// registers and shifts (seed 001). It is part of Store, so every backend
// implements it and passes the same conformance suite (store/storetest).
type CashdeskStore interface {
	// API keys.
	// InsertAPIKey stores k, filling ID when empty; ErrNotFound when the user does not exist.
	InsertAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash returns the key with this hash, revoked or expired ones too; ErrNotFound when none.
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	// APIKeysOf lists the user's keys, newest first, revoked ones included.
	APIKeysOf(ctx context.Context, userID int64) ([]APIKey, error)
	// RevokeAPIKey marks the user's key revoked at at; revoking twice is not
	// an error. ErrNotFound when the user has no key with this id.
	RevokeAPIKey(ctx context.Context, userID int64, id string, at time.Time) error
	// RevokeAPIKeysOf marks every key of the user that is active at at
	// (neither revoked nor expired) revoked at at, in one statement, and
	// returns those keys as they were before (a password reset lists them).
	RevokeAPIKeysOf(ctx context.Context, userID int64, at time.Time) ([]APIKey, error)
	// TouchAPIKey sets LastUsedAt to at unless it is already later than
	// at-every, so that a busy key costs one write per interval, not per request.
	TouchAPIKey(ctx context.Context, id string, at time.Time, every time.Duration) error

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
}
