package main

import (
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// auditCmd prints the security audit log of the configured database, as
// GET /admin/v1/audit does: newest first.
func (c *cli) auditCmd() *cobra.Command {
	cmd := c.action("audit [flags]", "Print the security audit log, newest first", 0, 0, nil, c.audit)
	f := cmd.Flags()
	f.String("user", "", "numeric id, UUID or e-mail")
	f.String("type", "", `event type, or a family ending in a dot ("login.")`)
	f.String("since", "", "RFC 3339 time, inclusive")
	f.String("until", "", "RFC 3339 time, exclusive")
	f.Int("limit", 50, "page size (1–500)")
	f.Int("offset", 0, "page start")
	toolFlags(f)
	outputFlag(f)
	return cmd
}

func (c *cli) audit(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
	fs := cmd.Flags()
	limit, _ := fs.GetInt("limit")
	offset, _ := fs.GetInt("offset")
	f := identity.AuditFilter{Type: str(fs, "type"), Limit: limit, Offset: offset}
	for _, p := range []struct {
		flag string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := str(fs, p.flag); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, usage(cmd, "--%s %q is not an RFC 3339 time (2026-11-30T00:00:00Z)", p.flag, s)
			}
			*p.dst = t
		}
	}
	if ref := str(fs, "user"); ref != "" {
		u, err := findUser(cmd.Context(), srv.Identity, ref)
		if err != nil {
			return nil, err
		}
		f.UserID = u.ID
	}
	events, total, err := srv.Identity.AuditLog(cmd.Context(), f)
	return map[string]any{"events": admin.Views(events, admin.AuditView), "total": total}, err
}

// cliActor names the operator of a CLI command in the audit log: the
// shell's user, since the CLI has no other identity; without $USER (docker
// exec, cron) the process's user by its name, else its uid.
func cliActor(env func(string) string) string {
	if u := env("USER"); u != "" {
		return "cli:" + u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:" + strconv.Itoa(os.Getuid())
}
