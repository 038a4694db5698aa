package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/buildinfo"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/server"
)

func (c *cli) serveCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "serve [flags]", Short: "Run the server (the default command)", Args: args(0, 0), RunE: c.serve}
	config.AddFlags(cmd.Flags())
	return cmd
}

// serve starts the server; the unknown-variable warnings and the
// effective configuration (secrets redacted) go to its log.
func (c *cli) serve(cmd *cobra.Command, _ []string) error {
	cfg, err := c.config(cmd, false)
	if err != nil {
		return err
	}
	log := newLogger(cfg, c.stderr)
	for _, w := range config.UnknownVariables(c.environ()) {
		log.Warn(w)
	}
	build := buildinfo.Get()
	log.Info("gatehouse starting", append([]any{"version", build.Version, "commit", build.Commit}, cfg.Redacted()...)...)
	for _, w := range cfg.Warnings() {
		log.Warn(w)
	}
	// Every setting is checked first, then the ports are bound: a bad
	// setting or a taken port stops the start before the database is
	// touched and before a first start's admin token is made and shown.
	if err := app.Check(cfg); err != nil {
		return err
	}
	ln, mgmt, err := server.Listen(cfg)
	if err != nil {
		return err
	}
	srv, err := server.New(cmd.Context(), cfg, log, server.Options{Version: build.Version, Commit: build.Commit,
		Options: app.Options{Stderr: c.stderr, LimitMemory: true, HashWorker: hashWorkerCommand()}})
	if err != nil {
		ln.Close()
		if mgmt != nil {
			mgmt.Close()
		}
		return err
	}
	defer srv.Close()
	return srv.ServeManaged(cmd.Context(), ln, mgmt)
}

func (c *cli) migrateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "migrate [--check] [flags]", Short: "Apply the database migrations and exit (serve does it too)",
		Long: "Apply the migrations the database lacks, creating it when it does not exist, and exit.\n" +
			"--check changes nothing: it lists the accounts whose e-mail addresses collide (migrate and serve\n" +
			"refuse while any do) and fails while any remain.",
		Args: args(0, 0), RunE: c.migrate}
	cmd.Flags().Bool("check", false, "list accounts whose e-mail addresses collide; change nothing")
	config.AddFlags(cmd.Flags())
	return cmd
}

func (c *cli) migrate(cmd *cobra.Command, _ []string) error {
	cfg, err := c.config(cmd, true)
	if err != nil {
		return err
	}
	if check, _ := cmd.Flags().GetBool("check"); check {
		if err := needDatabase(cfg); err != nil {
			return err
		}
		return checkEmailKeys(cmd, cfg.DatabaseURL, c.stdout)
	}
	applied, err := app.Migrate(cmd.Context(), cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(c.stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(c.stdout, "applied", m)
	}
	return nil
}

// checkEmailKeys is `gatehouse migrate --check`: it lists the accounts
// whose stored addresses share one key (migrate refuses to run while any
// remain) and those whose address the key's rules refuse (they keep their
// old key). It changes nothing, and fails while collisions remain.
func checkEmailKeys(cmd *cobra.Command, databaseURL string, stdout io.Writer) error {
	collisions, refused, err := app.CheckEmailKeys(cmd.Context(), databaseURL)
	if err != nil {
		return err
	}
	for _, a := range refused {
		fmt.Fprintln(stdout, "kept under its old key (refused for new accounts):", a)
	}
	if len(collisions) == 0 {
		fmt.Fprintln(stdout, "no two accounts share an e-mail address")
		return nil
	}
	return &app.CollisionError{Collisions: collisions}
}

// versionCmd prints the stamped version and commit (see internal/buildinfo),
// the Go release and the platform, as --version does.
func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print version, commit, Go release and platform (also --version)", Args: args(0, 0),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(c.stdout, buildinfo.Get())
			return err
		}}
}

// hashWorkerCmd is `gatehouse hash-worker [--nice N]`, the process in
// which `serve` runs argon2id at a lower priority (GATEHOUSE_HASH_NICE):
// it reads jobs on stdin and answers on stdout until its stdin ends, which
// happens when the server stops or dies. Not a command for people: hidden,
// and its flags are the worker's own.
func (c *cli) hashWorkerCmd() *cobra.Command {
	return &cobra.Command{Use: "hash-worker", Hidden: true, DisableFlagParsing: true,
		RunE: func(_ *cobra.Command, a []string) error { return password.WorkerMain(a, c.stdin, c.stdout) }}
}

// hashWorkerCommand is how serve starts its hash worker: this very binary.
func hashWorkerCommand() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil // hash in the server process
	}
	return []string{exe, "hash-worker"}
}
