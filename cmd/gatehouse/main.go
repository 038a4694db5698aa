// Command gatehouse is the authentication server and its operator's tool.
//
//	gatehouse [serve] [flags]     run the server (the default)
//	gatehouse migrate [--check]   apply database migrations and exit (--check: list accounts whose e-mail addresses collide)
//	gatehouse user …              manage accounts on the configured database
//	gatehouse bank …              bank door: clients, customers, roles, memberships
//	gatehouse register …          cashdesk door: cash registers (and: developer …)
//	gatehouse audit [flags]       print the security audit log
//	gatehouse backup FILE         copy the live SQLite database to a new file
//	gatehouse healthcheck [URL]   exit 0 when URL (default: local /status) answers 2xx
//	gatehouse version             print version, commit, Go release and platform
//	gatehouse hash-worker         (started by serve) the process that hashes passwords, GATEHOUSE_HASH_NICE
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// commands are the subcommands; each gets the arguments after its name.
var commands = map[string]func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error{
	"serve":   serve,
	"migrate": migrate,
	"version": version,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal begins a graceful shutdown; a second one ends the
	// process at once (the default action is restored).
	go func() { <-ctx.Done(); stop() }()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		return fmt.Errorf("unknown command %q (serve, migrate, user, audit, bank, register, developer, backup, healthcheck, version)", name)
	}
	return cmd(ctx, args, env, stdout, stderr)
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
