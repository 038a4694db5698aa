package bank

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Store is the storage the bank domain consumes: its Records, and
// transactions over them.
type Store interface {
	// Tx runs fn in one transaction; fn receives a Store bound to it. The
	// transaction commits when fn returns nil and rolls back otherwise.
	Tx(ctx context.Context, fn func(Store) error) error
	Records
}

// Records keep the bank's registry and sign-in state (model.go). One SQL
// implementation (store/sqlstore) serves them on every backend, and one
// conformance suite (store/storetest) checks it. Methods return
// core.ErrNotFound for a missing row and core.ErrExists on a uniqueness
// conflict (client id, customer id, role code, IIN); any other error is
// internal.
type Records interface {
	// identity's rules that a step's transaction runs: a factor code's
	// lockout counters, audit rows and notice mail, and the reply kept for
	// an Idempotency-Key of a code sent.
	identity.FactorTx
	core.ReplyTx

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
	PutBankProfile(ctx context.Context, p *Profile) error
	BankProfileOf(ctx context.Context, userID int64) (Profile, error)
	BankProfileByIIN(ctx context.Context, iin string) (Profile, error)

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
