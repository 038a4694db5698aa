package migrations_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
)

// Pending is what readiness asks: the versions this binary needs that the
// database lacks. A database left by an older release lacks the newer
// ones; one migrated by a newer release (a rolling upgrade) lacks none.
func TestPendingListsWhatThisBinaryNeedsAndIgnoresNewerVersions(t *testing.T) {
	ctx := context.Background()
	for dialect, open := range emptyDatabases(ctx) {
		t.Run(dialect, func(t *testing.T) {
			db, err := open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			all, _ := migrations.Versions(dialect)
			if _, err := migrations.MigrateTo(ctx, db, dialect, all[len(all)-3]); err != nil {
				t.Fatal(err)
			}
			pending, err := migrations.Pending(ctx, db, dialect)
			if err != nil || !reflect.DeepEqual(pending, all[len(all)-2:]) {
				t.Fatalf("an older schema: pending %v (%v), want %v", pending, err, all[len(all)-2:])
			}
			if _, err := migrations.Migrate(ctx, db, dialect); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_a_newer_release', 0)`); err != nil {
				t.Fatal(err)
			}
			if pending, err := migrations.Pending(ctx, db, dialect); err != nil || len(pending) != 0 {
				t.Fatalf("a current schema with a newer release's version: pending %v (%v), want none", pending, err)
			}
		})
	}
}
