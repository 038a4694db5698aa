package app

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/limit"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// What an operator's machines read of a wired Gatehouse: the readiness
// checks beyond the database's ping, the start's log line about the
// schema, and the sources of the management listener's metrics.

// Sources are what the metrics read at scrape time: the database pool and
// the outbox's backlog (nil when the store is not the SQL store, as in
// tests that wrap it), and the password pool's counters (nil for a
// hasher without them).
type Sources struct {
	DB     *sql.DB
	Outbox func(ctx context.Context) (map[string]int64, error)
	Hashes func() (inFlight, waiting int64, refused uint64)
}

// Sources names what the metrics read.
func (a *App) Sources() Sources {
	var src Sources
	if a.raw != nil {
		src.DB, src.Outbox = a.raw.DB(), a.raw.OutboxPending
	}
	if h, ok := a.Identity.Hasher.(interface{ Stats() password.Stats }); ok {
		src.Hashes = func() (int64, int64, uint64) {
			st := h.Stats()
			return st.Running, st.Waiting, st.Rejected
		}
	}
	return src
}

// schemaCheck is the readiness check "migrations": the schema has every
// migration this binary needs. A newer release's migrations (a rolling
// upgrade) do not count against it.
func schemaCheck(st *sqlstore.Store) health.Check {
	return health.Check{Name: "migrations", Run: func(ctx context.Context) error {
		pending, err := migrations.Pending(ctx, st.DB(), st.DialectName())
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return health.Fail(health.Behind, fmt.Errorf("the schema lacks %s (run gatehouse migrate)", strings.Join(pending, ", ")))
		}
		return nil
	}}
}

// watchRedis adds the readiness check "redis" when the rate limits are
// counted in Redis (GATEHOUSE_REDIS_URL).
func (a *App) watchRedis() {
	f, ok := a.limits.(*limit.Fallback)
	if !ok {
		return
	}
	if r, ok := f.Primary.(interface{ Ping(context.Context) error }); ok {
		a.Health.AddCheck(health.Check{Name: "redis", Run: r.Ping})
	}
}

// logSchema says at start which migrations opening the database applied.
func (a *App) logSchema() {
	if a.raw == nil {
		return
	}
	name := a.raw.DialectName()
	if applied := a.raw.Migrated(); len(applied) > 0 {
		a.Log.Info("database migrated", "applied", strings.Join(applied, ","), "dialect", name)
		return
	}
	versions, _ := migrations.Versions(name)
	a.Log.Info("database schema is current", "version", versions[len(versions)-1], "dialect", name)
}
