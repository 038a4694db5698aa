package app

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The CLI's operations on a database as a whole, which need no services.

// Migrate applies the migrations the database at databaseURL lacks and
// returns their names (`gatehouse migrate`).
func Migrate(ctx context.Context, databaseURL string) ([]string, error) {
	return store.Migrate(ctx, databaseURL)
}

// CheckEmailKeys lists the accounts whose stored addresses share one key,
// and those whose address the key's rules refuse (`gatehouse migrate
// --check`); it changes nothing.
func CheckEmailKeys(ctx context.Context, databaseURL string) ([]migrations.Collision, []migrations.Account, error) {
	return store.CheckEmailKeys(ctx, databaseURL)
}

// Backup copies the live SQLite database to dest (`gatehouse backup`).
func Backup(ctx context.Context, databaseURL, dest string) error {
	return store.Backup(ctx, databaseURL, dest)
}

// CollisionError names the accounts whose stored e-mail addresses share a
// key (migrations.CollisionError), for the CLI to print.
type CollisionError = migrations.CollisionError

// Reseal re-seals every value sealed at rest with reseal (`gatehouse key
// rotate-master`), page by page while nodes serve.
func Reseal(ctx context.Context, databaseURL string, reseal func(sealed []byte) ([]byte, bool, error)) (sqlstore.ResealReport, error) {
	return store.Reseal(ctx, databaseURL, reseal)
}
