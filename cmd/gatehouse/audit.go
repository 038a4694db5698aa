package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// auditCmd prints the security audit log of the configured database, as
// GET /admin/v1/audit does: newest first, JSON.
//
//	gatehouse audit [--user REF] [--type login.] [--since RFC3339] [--until RFC3339] [--limit N] [--offset N]
func auditCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "numeric id, UUID or e-mail")
	typ := fs.String("type", "", `event type, or a family ending in a dot ("login.")`)
	since := fs.String("since", "", "RFC 3339 time, inclusive")
	until := fs.String("until", "", "RFC 3339 time, exclusive")
	limit := fs.Int("limit", 50, "page size (1–500)")
	offset := fs.Int("offset", 0, "page start")
	dbURL := fs.String("database-url", "", "overrides GATEHOUSE_DATABASE_URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := identity.AuditFilter{Type: *typ, Limit: *limit, Offset: *offset}
	for _, p := range []struct {
		s   string
		dst *time.Time
	}{{*since, &f.Since}, {*until, &f.Until}} {
		if p.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, p.s)
		if err != nil {
			return fmt.Errorf("audit: %q is not an RFC 3339 time", p.s)
		}
		*p.dst = t
	}
	cfg, err := config.Load(nil, env)
	if err != nil {
		return err
	}
	if *dbURL != "" {
		cfg.DatabaseURL = *dbURL
	}
	srv, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Stderr: stderr})
	if err != nil {
		return err
	}
	defer srv.Close()
	if *user != "" {
		u, err := srv.Identity.FindUser(ctx, *user)
		if err != nil {
			return err
		}
		f.UserID = u.ID
	}
	events, total, err := srv.Identity.AuditLog(ctx, f)
	if err != nil {
		return err
	}
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	return out.Encode(map[string]any{"events": admin.Views(events, admin.AuditView), "total": total})
}

// cliActor names the operator of a CLI command in the audit log: the
// shell's user, since the CLI has no other identity.
func cliActor(env func(string) string) string {
	if u := env("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}
