package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keys"
)

const backupUsage = `usage: gatehouse backup [--database-url URL] [--config FILE] FILE
Writes a consistent copy of the embedded SQLite database to the new FILE while
the server runs (never overwrites). The master key is not in the copy: keep it
apart. PostgreSQL: use pg_dump (docs/operations.md).`

// backupCmd copies the configured SQLite database (app.Backup) and tells
// the operator where the master key is, since the copy is unreadable in
// part without it.
func backupCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, fs, err := toolConfig("backup", args, env, stderr)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage(backupUsage)
	}
	dest := fs.Arg(0)
	if err := app.Backup(ctx, cfg.DatabaseURL, dest); err != nil {
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
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes, one consistent snapshot)\n", cfg.SQLitePath(), dest, size)
	fmt.Fprintf(stdout, "The master key is not in this copy (%s): without it the copy's signing keys, TOTP secrets\n"+
		"and queued mail cannot be read. Keep it safe, apart from the copy.\n", key)
	return nil
}

// toolConfig parses the flags of an operator's command that reads the
// configuration as serve does but takes only --database-url (which
// overrides GATEHOUSE_DATABASE_URL) and --config FILE; the flag set keeps
// the other arguments.
func toolConfig(name string, args []string, env func(string) string, stderr io.Writer) (config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database-url", "", "overrides GATEHOUSE_DATABASE_URL")
	configFile := fs.String("config", "", "YAML configuration file (as for serve)")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, nil, err
	}
	var loadArgs []string
	if *configFile != "" {
		loadArgs = []string{"--config", *configFile}
	}
	cfg, err := config.Load(loadArgs, env)
	if err != nil {
		return config.Config{}, nil, err
	}
	if *dbURL != "" {
		cfg.DatabaseURL = *dbURL
	}
	return cfg, fs, nil
}
