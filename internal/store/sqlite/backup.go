package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the live database at path to dest
// with VACUUM INTO (https://sqlite.org/lang_vacuum.html#vacuuminto): it
// reads one snapshot inside a read transaction, so writers go on
// committing meanwhile and none of their transactions is half in the copy.
// The copy is a compact database file in its own right, with nothing in a
// -wal file beside it.
//
// dest is created with mode 0600 (it holds password hashes) and never
// overwritten: an existing dest is refused with an error wrapping
// fs.ErrExist. A missing source is refused rather than created empty, and
// an in-memory database has no file to copy. On failure nothing is left
// at dest.
func Backup(ctx context.Context, path, dest string) (err error) {
	if path == Memory {
		return errors.New("sqlite: an in-memory database cannot be backed up (it lives and dies with its process)")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite: backup of %s: %w", path, err)
	}
	// O_EXCL claims dest atomically; VACUUM INTO accepts an empty file and
	// keeps its mode.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sqlite: backup to %s: the file exists, and a backup never overwrites one: %w", dest, fs.ErrExist)
	}
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dest, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			os.Remove(dest)
		}
	}()
	db, err := OpenDB(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("sqlite: backup of %s to %s: %w", path, dest, err)
	}
	return nil
}
