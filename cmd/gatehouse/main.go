// Command gatehouse is the authentication server and its operator's tool.
//
//	gatehouse [serve] [flags]     run the server (the default)
//	gatehouse migrate [--check]   apply database migrations and exit (--check: list accounts whose e-mail addresses collide)
//	gatehouse user …              manage accounts on the configured database
//	gatehouse bank …              bank door: clients, customers, roles, memberships
//	gatehouse register …          cashdesk door: cash registers (and: developer …)
//	gatehouse audit [flags]       print the security audit log
//	gatehouse backup FILE         copy the live SQLite database to a new file
//	gatehouse key rotate-master   re-seal every sealed value under a new master key
//	gatehouse healthcheck [URL]   exit 0 when URL (default: local /readyz on 8081) answers 2xx
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
	"strings"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/config"
)

// command runs a subcommand with the arguments after its name.
type command func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error

// commands are the subcommands, in the order the usage lists them: the one
// table of them.
var commands = []struct {
	name string
	run  command
}{
	{"serve", serve},
	{"migrate", migrate},
	{"user", userCmd},
	{"audit", auditCmd},
	{"bank", bankCmd},
	{"register", registerCmd},
	{"developer", developerCmd},
	{"backup", backupCmd},
	{"key", keyCmd},
	{"healthcheck", healthcheck},
	{"hash-worker", hashWorker},
	{"version", version},
}

// lookup finds the subcommand called name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c.run, true
		}
	}
	return nil, false
}

// names lists the subcommands.
func names() string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return strings.Join(out, ", ")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal begins a graceful shutdown; a second one ends the
	// process at once (the default action is restored).
	go func() { <-ctx.Done(); stop() }()
	if err := run(ctx, os.Args[1:], config.Environ, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	cmd, ok := lookup(name)
	if !ok {
		return fmt.Errorf("unknown command %q (%s)", name, names())
	}
	return cmd(ctx, args, env, stdout, stderr)
}

// newLogger is the server's logger: GATEHOUSE_LOG_FORMAT's handler at
// GATEHOUSE_LOG_LEVEL. The server adds each request's id to the lines
// logged with its context.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// usage is a command's usage text, its answer to arguments that do not fit:
// printed as written, several lines and all.
type usage string

func (u usage) Error() string { return string(u) }
