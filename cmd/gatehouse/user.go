package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// userCmd runs the admin API's account operations on the configured
// database directly, for operators with shell access. REF is a numeric
// id, a UUID or an e-mail address in any spelling.
func (c *cli) userCmd() *cobra.Command {
	g := group("user", "Manage accounts on the configured database",
		c.userCreateCmd(),
		c.userListCmd(),
		c.userAction("show REF", "Show an account", 1, 1, true, c.userShow),
		c.userRenameCmd(),
		c.userAction("lock REF", "Lock an account", 1, 1, false, c.userLock(true)),
		c.userAction("unlock REF", "Unlock an account and clear its lockout", 1, 1, false, c.userLock(false)),
		c.userAction("delete REF", "Delete an account", 1, 1, true, c.userDelete),
		c.userAction("roles REF [ROLE,ROLE]", `Set an account's roles (none or "" removes every role)`, 1, 2, false, c.userRoles),
		c.userAction("totp-remove REF", "Remove the authenticator app and recovery codes of a user who lost them (the user is mailed)", 1, 1, false, c.userTOTPRemove),
	)
	g.Long = "Manage accounts on the configured database (REF: numeric id, UUID or e-mail in any spelling).\n" +
		"show, list, rename and delete also run on a database whose stored addresses collide\n" +
		"(see gatehouse migrate --check), to resolve them."
	toolFlags(g.PersistentFlags())
	outputFlag(g.PersistentFlags())
	return g
}

// userRun is one user action on the built core.
type userRun func(cmd *cobra.Command, a *app.App, args []string) error

// userAction makes the command of one action; repair: it also runs on a
// database whose stored addresses collide.
func (c *cli) userAction(use, short string, min, max int, repair bool, run userRun) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: args(min, max), RunE: func(cmd *cobra.Command, a []string) error {
		srv, err := c.openApp(cmd, repair)
		if err != nil {
			return err
		}
		defer srv.Close()
		if srv.Collisions != nil {
			fmt.Fprintln(c.stderr, "note: stored e-mail addresses collide; run `gatehouse migrate` once each account has an address of its own")
		}
		cmd.SetContext(core.WithActor(cmd.Context(), cliActor(c.env))) // audit.go
		return run(cmd, srv, a)
	}}
}

func (c *cli) userCreateCmd() *cobra.Command {
	cmd := c.userAction("create --email E --password-stdin", "Create an account (the password on standard input)", 0, 0, false, c.userCreate)
	f := cmd.Flags()
	f.String("email", "", "e-mail address (required)")
	f.Bool("password-stdin", false, "read the password from the first line of standard input")
	f.String("password", "", "the password (visible to other users of the machine in ps: prefer --password-stdin)")
	f.String("name", "", "name")
	f.String("locale", "", "locale (en, ru, uk)")
	f.String("source", "", "source (one of GATEHOUSE_SOURCES; default the first)")
	f.StringArray("role", nil, "role (repeatable)")
	f.Bool("confirmed", false, "mark the e-mail address confirmed")
	cmd.Example = "  printf '%s\\n' 'correct horse 1' | gatehouse user create --email a@example.com --password-stdin --confirmed --role admin"
	return cmd
}

func (c *cli) userCreate(cmd *cobra.Command, srv *app.App, _ []string) error {
	f := cmd.Flags()
	email, _ := f.GetString("email")
	if email == "" {
		return usage(cmd, "--email is required")
	}
	pw, err := c.password(cmd)
	if err != nil {
		return err
	}
	name, _ := f.GetString("name")
	locale, _ := f.GetString("locale")
	source, _ := f.GetString("source")
	roles, _ := f.GetStringArray("role")
	confirmed, _ := f.GetBool("confirmed")
	u, err := srv.Identity.AdminCreateUser(cmd.Context(), identity.Registration{Email: email, Password: pw, Name: name, Locale: locale, Source: source}, confirmed, roles)
	if err != nil {
		return err
	}
	return c.print(cmd, admin.View(u))
}

// maxPassword bounds what --password-stdin reads: far above any password
// policy (GATEHOUSE_PASSWORD_MAX_LENGTH is at most 1024 characters).
const maxPassword = 16 << 10

// password is --password-stdin's first line (its line break trimmed), or
// --password; one of them, never both.
func (c *cli) password(cmd *cobra.Command) (string, error) {
	fromStdin, _ := cmd.Flags().GetBool("password-stdin")
	arg := cmd.Flags().Lookup("password")
	switch {
	case fromStdin && arg.Changed:
		return "", usage(cmd, "give the password once: --password-stdin or --password, not both")
	case arg.Changed:
		return arg.Value.String(), nil
	case !fromStdin:
		return "", usage(cmd, "a password is required: --password-stdin reads it from standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(c.stdin, maxPassword)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", &humanErr{msg: "--password-stdin: standard input held no password"}
	}
	return line, nil
}

func (c *cli) userListCmd() *cobra.Command {
	cmd := c.userAction("list", "List accounts, newest first", 0, 0, true, c.userList)
	cmd.Flags().String("search", "", "part of the e-mail address or name")
	cmd.Flags().Int("limit", 50, "page size (1–500)")
	cmd.Flags().Int("offset", 0, "page start")
	return cmd
}

func (c *cli) userList(cmd *cobra.Command, srv *app.App, _ []string) error {
	f := cmd.Flags()
	search, _ := f.GetString("search")
	limit, _ := f.GetInt("limit")
	offset, _ := f.GetInt("offset")
	users, total, err := srv.Identity.ListUsers(cmd.Context(), identity.UserFilter{Search: search, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return c.print(cmd, map[string]any{"users": admin.Views(users, admin.View), "total": total})
}

func (c *cli) userShow(cmd *cobra.Command, srv *app.App, a []string) error {
	u, err := findUser(cmd.Context(), srv.Identity, a[0])
	if err != nil {
		return err
	}
	return c.print(cmd, admin.View(u))
}

func (c *cli) userRenameCmd() *cobra.Command {
	cmd := c.userAction("rename REF NEW", "Give an account the e-mail address NEW (the old one is told by mail)", 2, 2, true,
		func(cmd *cobra.Command, srv *app.App, a []string) error {
			u, err := findUser(cmd.Context(), srv.Identity, a[0])
			if err != nil {
				return err
			}
			confirmed, _ := cmd.Flags().GetBool("confirmed")
			if u, err = srv.Identity.RenameUser(cmd.Context(), u.ID, a[1], confirmed); err != nil {
				return err
			}
			return c.print(cmd, admin.View(u))
		})
	cmd.Long = "Give the account the e-mail address NEW. The old address is told by mail; NEW is\n" +
		"unconfirmed unless --confirmed or only its spelling changes."
	cmd.Flags().Bool("confirmed", false, "vouch for NEW: mark it confirmed")
	return cmd
}

func (c *cli) userLock(lock bool) userRun {
	return func(cmd *cobra.Command, srv *app.App, a []string) error {
		u, err := findUser(cmd.Context(), srv.Identity, a[0])
		if err != nil {
			return err
		}
		if u, err = srv.Identity.SetLocked(cmd.Context(), u.ID, lock); err != nil {
			return err
		}
		return c.print(cmd, admin.View(u))
	}
}

func (c *cli) userDelete(cmd *cobra.Command, srv *app.App, a []string) error {
	u, err := findUser(cmd.Context(), srv.Identity, a[0])
	if err != nil {
		return err
	}
	if err := srv.Identity.DeleteUser(cmd.Context(), u.ID); err != nil {
		return err
	}
	return c.done(cmd, "deleted "+u.Email, map[string]any{"deleted": u.Email, "id": u.ID})
}

func (c *cli) userRoles(cmd *cobra.Command, srv *app.App, a []string) error {
	u, err := findUser(cmd.Context(), srv.Identity, a[0])
	if err != nil {
		return err
	}
	var list []string
	if len(a) > 1 && a[1] != "" && a[1] != "none" {
		list = strings.Split(a[1], ",")
	}
	if u, err = srv.Identity.SetRoles(cmd.Context(), u.ID, list); err != nil {
		return err
	}
	return c.print(cmd, admin.View(u))
}

func (c *cli) userTOTPRemove(cmd *cobra.Command, srv *app.App, a []string) error {
	u, err := findUser(cmd.Context(), srv.Identity, a[0])
	if err != nil {
		return err
	}
	if err := srv.Factors.AdminRemoveTOTP(cmd.Context(), u); err != nil {
		return notFound(err, "%s has no authenticator app to remove", u.Email)
	}
	return c.done(cmd, "removed the authenticator of "+u.Email, map[string]any{"removed_authenticator_of": u.Email})
}
