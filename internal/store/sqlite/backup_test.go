package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var t0 = time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)

// openFile opens a new database file of the test and returns its path.
func openFile(t *testing.T) (string, *sqlstore.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return path, st
}

func userEmail(i int) string { return fmt.Sprintf("user-%05d@example.test", i) }

// TestBackupIsAConsistentCopyOfADatabaseBeingWritten backs up while a
// writer commits one user per transaction: the copy must hold exactly the
// first k users for some k between what was committed before the backup
// began and what was committed when it returned (a snapshot, never a torn
// mix), and pass SQLite's integrity check.
func TestBackupIsAConsistentCopyOfADatabaseBeingWritten(t *testing.T) {
	ctx := context.Background()
	path, st := openFile(t)
	defer st.Close()

	var committed atomic.Int64
	seeded, stop := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			u := identity.User{Email: userEmail(i), PasswordHash: strings.Repeat("h", 96), CreatedAt: t0, UpdatedAt: t0}
			if writeErr = st.CreateUser(ctx, &u); writeErr != nil {
				close(seeded)
				return
			}
			if committed.Add(1) == 500 {
				close(seeded)
			}
		}
	}()
	<-seeded
	before := committed.Load()
	dest := filepath.Join(t.TempDir(), "copy.db")
	backupErr := sqlite.Backup(ctx, path, dest)
	after := committed.Load()
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if backupErr != nil {
		t.Fatalf("Backup: %v", backupErr)
	}

	info, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("the copy has mode %v, want 0600 (it holds password hashes)", info.Mode().Perm())
	}
	checkIntegrity(t, dest)
	cp, err := sqlite.Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	users, total, err := cp.ListUsers(ctx, identity.UserFilter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if int64(total) < before || int64(total) > after {
		t.Fatalf("the copy holds %d users; %d were committed before the backup and %d when it returned", total, before, after)
	}
	for i, u := range users {
		if u.Email != userEmail(i) {
			t.Fatalf("user %d of the copy is %s, want %s: not a snapshot", i, u.Email, userEmail(i))
		}
	}
}

func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Fatalf("integrity_check of %s: %q %v", path, result, err)
	}
}

func TestBackupNeverOverwritesAFile(t *testing.T) {
	ctx := context.Background()
	path, st := openFile(t)
	st.Close()
	dest := filepath.Join(filepath.Dir(path), "yesterday.db")
	if err := os.WriteFile(dest, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := sqlite.Backup(ctx, path, dest)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Backup onto an existing file: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "yesterday's backup" {
		t.Fatalf("the existing file now holds %d bytes of something else", len(b))
	}
	if err := sqlite.Backup(ctx, path, path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Backup onto the database itself: %v", err)
	}
}

func TestBackupRefusesWhatItCannotCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	dest := filepath.Join(dir, "copy.db")
	if err := sqlite.Backup(ctx, missing, dest); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Backup of a missing database: %v, want an error naming it", err)
	}
	if err := sqlite.Backup(ctx, sqlite.Memory, dest); err == nil || !strings.Contains(err.Error(), "in-memory") {
		t.Fatalf("Backup of an in-memory database: %v", err)
	}
	for _, p := range []string{missing, dest} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a refused backup left %s behind (%v)", p, err)
		}
	}
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(ctx, notDB, dest); err == nil {
		t.Fatal("Backup of a file that is no database succeeded")
	}
	if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed backup left its partial copy behind (%v)", err)
	}
}
