package sqlstore

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/idempotency"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// Backend is every method of every port the store serves, and a
// transaction whose callback gets a Backend bound to it. *Store is the one
// implementation; tests wrap a Backend to inject faults, and the adapters
// below give each domain its own view of it, whose Tx hands the domain its
// own store type (one type cannot have two Tx methods).
type Backend interface {
	// Tx runs fn in one transaction; fn receives a Backend bound to it.
	// Nested calls on the bound Backend run inside the same transaction.
	Tx(ctx context.Context, fn func(Backend) error) error
	identity.Records
	cashdesk.Records
	bank.Records
	oauth.Records
	outbox.Store
	idempotency.Store
	keys.RingStore
	keys.SecretStore
	// InsertKey stores k; an error when its KID exists (the conformance
	// suite arranges keys with it; rings create them through UpdateKeys).
	InsertKey(ctx context.Context, k *keys.Record) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}

var _ Backend = (*Store)(nil)

// Identity is b as the identity domain's store.
func Identity(b Backend) identity.Store { return identityStore{b} }

type identityStore struct{ Backend }

func (s identityStore) Tx(ctx context.Context, fn func(identity.Store) error) error {
	return s.Backend.Tx(ctx, func(tx Backend) error { return fn(identityStore{tx}) })
}

// Cashdesk is b as the cashdesk domain's store.
func Cashdesk(b Backend) cashdesk.Store { return cashdeskStore{b} }

type cashdeskStore struct{ Backend }

func (s cashdeskStore) Tx(ctx context.Context, fn func(cashdesk.Store) error) error {
	return s.Backend.Tx(ctx, func(tx Backend) error { return fn(cashdeskStore{tx}) })
}

// Bank is b as the bank domain's store.
func Bank(b Backend) bank.Store { return bankStore{b} }

type bankStore struct{ Backend }

func (s bankStore) Tx(ctx context.Context, fn func(bank.Store) error) error {
	return s.Backend.Tx(ctx, func(tx Backend) error { return fn(bankStore{tx}) })
}

// OAuth is b as the oauth domain's store.
func OAuth(b Backend) oauth.Store { return oauthStore{b} }

type oauthStore struct{ Backend }

func (s oauthStore) Tx(ctx context.Context, fn func(oauth.Store) error) error {
	return s.Backend.Tx(ctx, func(tx Backend) error { return fn(oauthStore{tx}) })
}
