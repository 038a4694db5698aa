// Command gatehouse is the authentication server and its operator's tool.
// `gatehouse --help` lists its commands, `gatehouse help COMMAND` (or
// COMMAND --help) each one's flags with their defaults.
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
//
// Exit status: 0 done (help included), 1 failed, 2 a command line that does
// not fit (unknown command or flag, missing argument).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal begins a graceful shutdown; a second one ends the
	// process at once (the default action is restored).
	go func() { <-ctx.Done(); stop() }()
	os.Exit(execute(ctx, os.Args[1:], &cli{env: config.Environ, environ: os.Environ, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// execute runs a command line and returns the exit status, having told
// the operator on stderr what went wrong in words meant for people
// (humanError).
func execute(ctx context.Context, args []string, c *cli) int {
	err := c.run(ctx, args)
	if err == nil {
		return 0
	}
	fmt.Fprintln(c.stderr, "gatehouse:", humanError(err))
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(c.stderr, "Run '%s --help' for usage.\n", u.command)
		return 2
	}
	return 1
}

// cli is what every command reads and writes: the environment and the
// standard streams (tests give their own).
type cli struct {
	env     func(string) string // a variable (config.Environ)
	environ func() []string     // every variable, for the unknown-variable warnings
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
}

// run parses args and runs the command they name.
func (c *cli) run(ctx context.Context, args []string) error {
	root := c.root()
	root.SetArgs(args)
	root.SetIn(c.stdin)
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	return root.ExecuteContext(ctx)
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
