package store

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Reseal re-seals every sealed value of the database the URL names
// (sqlstore.SealedColumns) with fn, which returns a value's new form and
// whether it changed (keys.Sealer.Reseal): `gatehouse key rotate-master`.
// The database is migrated first; nodes may keep serving meanwhile.
func Reseal(ctx context.Context, databaseURL string, fn func(sealed []byte) ([]byte, bool, error)) (sqlstore.ResealReport, error) {
	b, err := Parse(databaseURL)
	if err != nil {
		return sqlstore.ResealReport{}, err
	}
	var st *sqlstore.Store
	if b.Dialect == migrations.Postgres {
		st, _, err = postgres.OpenRepair(ctx, b.Target)
	} else {
		st, _, err = sqlite.OpenRepair(ctx, b.Target)
	}
	if err != nil {
		return sqlstore.ResealReport{}, err
	}
	defer st.Close()
	return st.Reseal(ctx, fn)
}
