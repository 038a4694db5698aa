package sqlstore

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core"
)

// What an operator watches of the store, beside core.Store: the
// migrations its opening applied (the start-up log) and the outbox's
// backlog (metrics).

// WithMigrated records the versions that opening the store applied, and
// returns s.
func (s *Store) WithMigrated(versions []string) *Store {
	s.migrated = versions
	return s
}

// Migrated lists the migrations applied when the store was opened, none
// when its schema was already current.
func (s *Store) Migrated() []string { return s.migrated }

// OutboxPending counts the messages of each channel ("mail", "sms") not
// yet delivered nor dropped, whether due now or waiting for a retry. The
// partial index outbox_due holds exactly those rows, so the count reads
// the backlog, not the whole history.
func (s *Store) OutboxPending(ctx context.Context) (counts map[string]int64, err error) {
	defer core.Op(&err, "sqlstore.OutboxPending")
	rows, err := s.q.QueryContext(ctx, `SELECT channel, COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL GROUP BY channel`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts = map[string]int64{}
	for rows.Next() {
		var channel string
		var n int64
		if err := rows.Scan(&channel, &n); err != nil {
			return nil, err
		}
		counts[channel] = n
	}
	return counts, rows.Err()
}
