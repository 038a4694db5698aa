package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// TestANewDatabaseAndItsWALAreReadableByTheOwnerOnly: the database holds
// password hashes and sealed keys; it is created 0600 like the master key
// file beside it, and so are the -wal and -shm files SQLite makes, whatever
// the process's umask lets through.
func TestANewDatabaseAndItsWALAreReadableByTheOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	st, err := sqlite.Open(context.Background(), path) // migrates: the WAL has writes
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(name), err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s is %#o, want 0600", filepath.Base(name), mode)
		}
	}
}
