package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/keys"
)

// backupCmd copies the configured SQLite database (app.Backup) and tells
// the operator where the master key is, since the copy is unreadable in
// part without it.
func (c *cli) backupCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "backup [--database-url URL] [--config FILE] FILE", Short: "Copy the live SQLite database to a new file",
		Long: "Writes a consistent copy of the embedded SQLite database to the new FILE while\n" +
			"the server runs (never overwrites). The master key is not in the copy: keep it\n" +
			"apart. PostgreSQL: use pg_dump (docs/operations.md).",
		Args: args(1, 1), RunE: c.backup}
	toolFlags(cmd.Flags())
	return cmd
}

func (c *cli) backup(cmd *cobra.Command, a []string) error {
	cfg, err := c.config(cmd, true)
	if err != nil {
		return err
	}
	if err := needDatabase(cfg); err != nil {
		return err
	}
	dest := a[0]
	if err := app.Backup(cmd.Context(), cfg.DatabaseURL, dest); err != nil {
		return err
	}
	size := int64(-1)
	if info, err := os.Stat(dest); err == nil {
		size = info.Size()
	}
	key := "GATEHOUSE_MASTER_KEY"
	if cfg.MasterKey == "" {
		key = filepath.Join(filepath.Dir(cfg.SQLitePath()), keys.MasterKeyFile)
		if abs, err := filepath.Abs(key); err == nil {
			key = abs
		}
	}
	fmt.Fprintf(c.stdout, "backed up %s to %s (%d bytes, one consistent snapshot)\n", cfg.SQLitePath(), dest, size)
	fmt.Fprintf(c.stdout, "The master key is not in this copy (%s): without it the copy's signing keys, TOTP secrets\n"+
		"and queued mail cannot be read. Keep it safe, apart from the copy.\n", key)
	return nil
}
