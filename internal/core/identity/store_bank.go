package identity

import (
	"context"
	"time"
)

// BankStore keeps the bank door's domain (bank_model.go). Methods return
// ErrNotFound for a missing row and ErrExists on a uniqueness conflict
// (client id, customer id, role code, IIN); any other error is internal.
type BankStore interface {
	// Clients.
	CreateClient(ctx context.Context, c *Client) error
	ClientByID(ctx context.Context, id string) (Client, error)
	ListClients(ctx context.Context) ([]Client, error)
	// UpdateClient reads, applies fn and writes atomically (fn may run again on retry).
	UpdateClient(ctx context.Context, id string, fn func(*Client) error) (Client, error)
	DeleteClient(ctx context.Context, id string) error

	// Customers. CreateCustomer fills ID when zero.
	CreateCustomer(ctx context.Context, c *Customer) error
	CustomerByID(ctx context.Context, id int64) (Customer, error)
	ListCustomers(ctx context.Context, limit, offset int) ([]Customer, int, error)
	UpdateCustomer(ctx context.Context, id int64, fn func(*Customer) error) (Customer, error)
	// DeleteCustomer removes the customer and its memberships.
	DeleteCustomer(ctx context.Context, id int64) error

	// Roles. CreateCustomerRole fills ID. DeleteCustomerRole answers
	// ErrInUse while a membership names the role.
	CreateCustomerRole(ctx context.Context, r *CustomerRole) error
	CustomerRoleByID(ctx context.Context, id int64) (CustomerRole, error)
	ListCustomerRoles(ctx context.Context) ([]CustomerRole, error)
	UpdateCustomerRole(ctx context.Context, id int64, fn func(*CustomerRole) error) (CustomerRole, error)
	DeleteCustomerRole(ctx context.Context, id int64) error

	// Memberships. PutMembership inserts or changes the role of the
	// (user, customer) pair, filling ID; ErrNotFound when the user,
	// customer or role does not exist. Reads fill Customer and Role.
	PutMembership(ctx context.Context, m *Membership) error
	MembershipOf(ctx context.Context, userID, customerID int64) (Membership, error)
	MembershipsOfUser(ctx context.Context, userID int64) ([]Membership, error)
	MembersOf(ctx context.Context, customerID int64) ([]Membership, error)
	DeleteMembership(ctx context.Context, userID, customerID int64) error

	// Bank profiles. PutBankProfile inserts or replaces; ErrExists when
	// another user has the IIN, ErrNotFound when the user does not exist.
	PutBankProfile(ctx context.Context, p *BankProfile) error
	BankProfileOf(ctx context.Context, userID int64) (BankProfile, error)
	BankProfileByIIN(ctx context.Context, iin string) (BankProfile, error)

	// Devices. AddDevice inserts, or refreshes Name and LastUsedAt of the
	// user's device with the same fingerprint (keeping its ID, written back).
	AddDevice(ctx context.Context, d *Device) error
	DeviceByFingerprint(ctx context.Context, userID int64, hash []byte) (Device, error)
	DevicesOf(ctx context.Context, userID int64) ([]Device, error)
	DeleteDevice(ctx context.Context, userID int64, id string) error
	// DeleteDevicesOf forgets every trusted device of the user in one
	// statement and returns them (a password reset lists them).
	DeleteDevicesOf(ctx context.Context, userID int64) ([]Device, error)

	// TOTP. PutTOTP inserts or replaces the user's secret.
	PutTOTP(ctx context.Context, t *TOTPSecret) error
	TOTPOf(ctx context.Context, userID int64) (TOTPSecret, error)
	ConfirmTOTP(ctx context.Context, userID int64, at time.Time) error
	// UseTOTPStep records step as used when it is later than the last one
	// used; ok is false (no error) when it is not, for exactly one of
	// several concurrent callers with the same step.
	UseTOTPStep(ctx context.Context, userID, step int64) (ok bool, err error)
	// ReplaceRecoveryCodes drops the user's recovery codes and stores these hashes.
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte, at time.Time) error
	// UseRecoveryCode marks the unused code with this hash used; ErrCodeInvalid
	// when there is none. Exactly one concurrent caller succeeds.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) error
	DeleteTOTP(ctx context.Context, userID int64) error

	// One-time codes. PutOTP inserts or replaces the (session, factor) challenge.
	PutOTP(ctx context.Context, c *OTPChallenge) error
	OTPOf(ctx context.Context, sessionID, factor string) (OTPChallenge, error)
	// AttemptOTP spends one attempt of the live (unused, unexpired, not
	// exhausted) challenge and marks it used when hash matches, in one
	// atomic step: ok for exactly one caller with the right code.
	// ErrNotFound when there is no live challenge.
	AttemptOTP(ctx context.Context, sessionID, factor string, hash []byte, at time.Time) (c OTPChallenge, ok bool, err error)

	// RememberCiphertext records the hash of a credential ciphertext until
	// expires; fresh is false when it was already recorded (a replay).
	RememberCiphertext(ctx context.Context, hash []byte, expires time.Time) (fresh bool, err error)

	// PurgeBank deletes expired challenges and ciphertext hashes.
	PurgeBank(ctx context.Context, before time.Time) error
}
