package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// createPrivate makes the database file, when it does not exist yet, empty
// and readable by its owner only (0600, as the master key beside it): it
// holds password hashes, sessions and sealed keys. SQLite then opens the
// existing file, and makes its -wal and -shm files with the database
// file's mode (its unix VFS copies it), so they are 0600 too. An existing
// file keeps the mode its operator gave it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return f.Close()
}
