// Package cashdesk is the cash-register service's domain (the cashdesk
// door, docs/cashdesk.md): cashier profiles with tax ids and signature
// certificates, developers, cash registers and shifts. Accounts, sign-in
// and the audit log are identity's.
package cashdesk

import (
	"context"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Service is the cashdesk domain. Build it with New.
type Service struct {
	identity *identity.Service // the audit log and the clock
	store    Store
}

// New returns the cashdesk domain over st; id writes its audit rows.
func New(st Store, id *identity.Service) *Service {
	return &Service{identity: id, store: st}
}

func (s *Service) now() time.Time { return s.identity.Now().UTC() }

// audited runs change and the audit row of e in one transaction.
func (s *Service) audited(ctx context.Context, e identity.AuditEvent, change func(tx Store) error) error {
	return identity.Audited(ctx, s.identity, s.store.Tx, e, change)
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }
