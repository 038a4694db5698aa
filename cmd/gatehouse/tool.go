package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// config loads the settings as serve does, from the flags cmd has (all of
// them for serve and migrate; --config and --database-url for the
// operator's commands), and warns on stderr about GATEHOUSE_* variables
// that are no setting (serve logs them instead).
func (c *cli) config(cmd *cobra.Command, warn bool) (config.Config, error) {
	cfg, err := config.FromFlags(cmd.Flags(), c.env)
	if err != nil {
		return cfg, err
	}
	if warn {
		for _, w := range config.UnknownVariables(c.environ()) {
			fmt.Fprintln(c.stderr, "gatehouse: warning:", w)
		}
	}
	return cfg, nil
}

// needDatabase refuses to work on a SQLite file that does not exist: only
// serve and migrate create a database, so that an operator's command run
// from another directory says so instead of answering from a new, empty
// one.
func needDatabase(cfg config.Config) error {
	path := cfg.SQLitePath()
	if path == "" || path == ":memory:" {
		return nil
	}
	path, _, _ = strings.Cut(path, "?")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return &humanErr{msg: fmt.Sprintf("no database at %s: name the existing one with --database-url or GATEHOUSE_DATABASE_URL, "+
			"or create it there with gatehouse migrate", path), err: err}
	}
	return nil
}

// openApp builds the core on the configured, existing database for an
// operator's command; repair opens a database whose stored e-mail
// addresses collide (gatehouse migrate --check) for the commands that
// resolve them. The caller closes it.
func (c *cli) openApp(cmd *cobra.Command, repair bool) (*app.App, error) {
	cfg, err := c.config(cmd, true)
	if err != nil {
		return nil, err
	}
	if err := needDatabase(cfg); err != nil {
		return nil, err
	}
	return app.New(cmd.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Stderr: c.stderr, Repair: repair})
}

// humanErr is an error with words for people in front of its cause, which
// errors.Is and errors.As still find.
type humanErr struct {
	msg string
	err error
}

func (e *humanErr) Error() string { return e.msg }
func (e *humanErr) Unwrap() error { return e.err }

// humanError is what the operator reads: the words of a humanErr or a
// usage error, the public message of a domain error (never the operation
// names wrapped around it, such as sqlstore.UserByEmail), and any other
// error as it is.
func humanError(err error) string {
	var h *humanErr
	var u *usageError
	var ce *core.Error
	switch {
	case errors.As(err, &h):
		return h.msg
	case errors.As(err, &u):
		return u.msg
	case errors.As(err, &ce) && ce.Kind != core.KindInternal:
		msg := ce.Message
		if ce.Field != "" && !strings.Contains(msg, ce.Field) {
			msg += " (" + ce.Field + ")"
		}
		return msg
	}
	return err.Error()
}

// findUser is identity.FindUser with a refusal that names what was
// looked for: "no user with e-mail a@example.com".
func findUser(ctx context.Context, svc *identity.Service, ref string) (identity.User, error) {
	u, err := svc.FindUser(ctx, ref)
	if errors.Is(err, core.ErrNotFound) {
		kind := "e-mail"
		switch {
		case ref != "" && strings.Trim(ref, "0123456789") == "":
			kind = "id"
		case len(ref) == 36 && strings.Count(ref, "-") == 4:
			kind = "UUID"
		}
		return u, &humanErr{msg: fmt.Sprintf("no user with %s %q", kind, ref), err: err}
	}
	return u, err
}

// notFound gives a not-found refusal words naming what was looked for.
func notFound(err error, format string, a ...any) error {
	if errors.Is(err, core.ErrNotFound) {
		return &humanErr{msg: fmt.Sprintf(format, a...), err: err}
	}
	return err
}
