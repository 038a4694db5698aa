package migrations_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestSessionsOfAnOlderReleaseSurviveTheDeviceMigration fills a database as
// release 0004 left it, migrates it, and reads the rows back through the
// store: nothing lost, and the new device column empty (such sessions then
// count as "another device" once, which costs one notice mail at most).
func TestSessionsOfAnOlderReleaseSurviveTheDeviceMigration(t *testing.T) {
	ctx := context.Background()
	olderRelease(t, "0004_security", func(t *testing.T, db *sql.DB, name string, d sqlstore.Dialect) {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()
		var userID int64
		if err := db.QueryRowContext(ctx, `INSERT INTO users (uuid, email, created_at, updated_at)
			VALUES ('2f1c9d3e-0000-4000-8000-000000000001', 'old@example.com', $1, $1) RETURNING id`, now).Scan(&userID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO sessions (id, user_id, door, user_agent, ip, created_at, last_seen, expires_at)
			VALUES ('5e55e55e-0000-4000-8000-000000000001', $1, 'platform', 'curl/8', '203.0.113.9', $2, $2, $3)`,
			userID, now, now+3600e6); err != nil {
			t.Fatal(err)
		}
		applied, err := migrations.Migrate(ctx, db, name)
		if err != nil || !slices.Contains(applied, "0005_session_device") {
			t.Fatalf("Migrate applied %v, %v", applied, err)
		}
		st := sqlstore.New(db, d)
		s, err := st.SessionByID(ctx, "5e55e55e-0000-4000-8000-000000000001")
		if err != nil {
			t.Fatal(err)
		}
		if s.UserID != userID || s.Door != "platform" || s.UserAgent != "curl/8" || s.IP != "203.0.113.9" ||
			s.CreatedAt.UnixMicro() != now || s.Device != "" {
			t.Fatalf("session after the migration: %+v", s)
		}
		signedIn, seen, err := st.DeviceSeen(ctx, userID, "a-new-device")
		if err != nil || !signedIn || seen {
			t.Fatalf("DeviceSeen after the migration = %v, %v, %v; want true, false", signedIn, seen, err)
		}
	})
}

// TestRefreshTokensOfAnOlderReleaseSurviveTheSuccessorMigration fills a
// database as release 0006 left it with a used and an unused refresh
// token, migrates it, and uses them through the store: the used one has no
// successor kept (so its replay is reuse, as before the upgrade), and the
// unused one is spent with its successor recorded.
func TestRefreshTokensOfAnOlderReleaseSurviveTheSuccessorMigration(t *testing.T) {
	ctx := context.Background()
	olderRelease(t, "0006_settings", func(t *testing.T, db *sql.DB, name string, d sqlstore.Dialect) {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		us := now.UnixMicro()
		var userID int64
		if err := db.QueryRowContext(ctx, `INSERT INTO users (uuid, email, created_at, updated_at)
			VALUES ('2f1c9d3e-0000-4000-8000-000000000002', 'old@example.com', $1, $1) RETURNING id`, us).Scan(&userID); err != nil {
			t.Fatal(err)
		}
		const sid = "5e55e55e-0000-4000-8000-000000000002"
		if _, err := db.ExecContext(ctx, `INSERT INTO sessions (id, user_id, door, created_at, last_seen, expires_at)
			VALUES ($1, $2, 'platform', $3, $3, $4)`, sid, userID, us, us+3600e6); err != nil {
			t.Fatal(err)
		}
		used, unused := []byte("used-token-hash-0123456789abcdef"), []byte("unused-token-hash-0123456789abcd")
		if _, err := db.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at, used_at)
			VALUES ($1, $3, $4, $5, $6, $5), ($2, $3, $4, $5, $6, NULL)`, used, unused, sid, userID, us, us+3600e6); err != nil {
			t.Fatal(err)
		}
		applied, err := migrations.Migrate(ctx, db, name)
		if err != nil || !slices.Contains(applied, "0007_refresh_successor") {
			t.Fatalf("Migrate applied %v, %v", applied, err)
		}
		st := sqlstore.New(db, d)
		old, err := st.RefreshTokenByHash(ctx, used)
		if err != nil || old.UsedAt == nil || old.Successor != nil || old.SealedSuccessor != nil || old.Parent != nil || old.SessionID != sid {
			t.Fatalf("used token after the migration: %+v, %v", old, err)
		}
		next := identity.RefreshToken{Hash: []byte("next-token-hash-0123456789abcdef"), SessionID: sid, UserID: userID, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := st.UseRefreshToken(ctx, unused, now, &next, []byte("sealed"), nil); err != nil {
			t.Fatalf("UseRefreshToken of an older token: %v", err)
		}
		got, err := st.RefreshTokenByHash(ctx, unused)
		if err != nil || got.UsedAt == nil || string(got.Successor) != string(next.Hash) || string(got.SealedSuccessor) != "sealed" {
			t.Fatalf("older token after its use: %+v, %v", got, err)
		}
	})
}

// olderRelease runs fn, once per dialect, on a database migrated up to
// last, as an older release left it.
func olderRelease(t *testing.T, last string, fn func(t *testing.T, db *sql.DB, dialect string, d sqlstore.Dialect)) {
	ctx := context.Background()
	cases := map[string]struct {
		open    func(t *testing.T) (*sql.DB, error)
		dialect sqlstore.Dialect
	}{
		migrations.SQLite:   {func(t *testing.T) (*sql.DB, error) { return sqlite.OpenDB(ctx, filepath.Join(t.TempDir(), "old.db")) }, sqlite.Dialect()},
		migrations.Postgres: {func(t *testing.T) (*sql.DB, error) { return postgres.OpenDB(ctx, pgtest.URL(t)) }, postgres.Dialect()},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			db, err := c.open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := migrations.MigrateTo(ctx, db, name, last); err != nil {
				t.Fatal(err)
			}
			fn(t, db, name, c.dialect)
		})
	}
}

// TestMailQueuedByAnOlderReleaseIsStillDeliveredAsMail fills the outbox as
// release 0007 left it (one mail waiting, one sent), migrates it, and
// claims through the store: the waiting mail is the mail worker's, never
// expires, and the SMS worker sees nothing.
func TestMailQueuedByAnOlderReleaseIsStillDeliveredAsMail(t *testing.T) {
	ctx := context.Background()
	olderRelease(t, "0007_refresh_successor", func(t *testing.T, db *sql.DB, name string, d sqlstore.Dialect) {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		us := now.UnixMicro()
		var waiting int64
		if err := db.QueryRowContext(ctx, `INSERT INTO outbox (to_addr, kind, sealed, next_attempt, created_at)
			VALUES ('old@example.com', 'confirm_email', $1, $2, $2) RETURNING id`, []byte("sealed"), us).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO outbox (to_addr, kind, sealed, next_attempt, created_at, sent_at)
			VALUES ('sent@example.com', 'confirm_email', NULL, $1, $1, $1)`, us); err != nil {
			t.Fatal(err)
		}
		applied, err := migrations.Migrate(ctx, db, name)
		if err != nil || !slices.Contains(applied, "0012_outbox_channel") {
			t.Fatalf("Migrate applied %v, %v", applied, err)
		}
		st := sqlstore.New(db, d)
		texts, err := st.ClaimMail(ctx, outbox.ChannelSMS, now.Add(time.Hour), now.Add(2*time.Hour), 10)
		if err != nil || len(texts) != 0 {
			t.Fatalf("the SMS worker claims %+v, %v from an older outbox", texts, err)
		}
		mails, err := st.ClaimMail(ctx, outbox.ChannelMail, now.Add(time.Hour), now.Add(2*time.Hour), 10)
		if err != nil || len(mails) != 1 {
			t.Fatalf("the mail worker claims %+v, %v; want the one waiting mail", mails, err)
		}
		if m := mails[0]; m.ID != waiting || m.Channel != outbox.ChannelMail || m.ExpiresAt != nil || m.DroppedAt != nil || string(m.Sealed) != "sealed" {
			t.Fatalf("the waiting mail after the migration: %+v", m)
		}
	})
}
