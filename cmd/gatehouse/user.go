package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

const userUsage = `usage: gatehouse user ACTION [flags]
  create  --email E --password P [--name N] [--locale L] [--source S] [--role R]... [--confirmed]
  list    [--search TEXT] [--limit N] [--offset N]
  show    REF            (REF: numeric id, UUID or e-mail in any spelling)
  rename  [--confirmed] REF NEW  give the account the e-mail address NEW (the old one is
                         told by mail; NEW is unconfirmed unless --confirmed or only its
                         spelling changes)
  lock    REF
  unlock  REF
  delete  REF
  roles   REF ROLE,ROLE  (an empty string removes every role)
  totp-remove REF        (the authenticator app and recovery codes of a user who lost them; the user is mailed)
Every action also takes --database-url and the other serve flags; output is JSON.
show, list, rename and delete also run on a database whose stored addresses collide
(see gatehouse migrate --check), to resolve them.`

// userCmd runs the admin API's account operations on the configured
// database directly, for operators with shell access.
func userCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usage(userUsage)
	}
	action, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail (create)")
	pw := fs.String("password", "", "password (create)")
	name := fs.String("name", "", "name (create)")
	locale := fs.String("locale", "", "locale (create)")
	source := fs.String("source", "", "source (create)")
	confirmed := fs.Bool("confirmed", false, "mark the e-mail confirmed (create, rename)")
	var roles multiFlag
	fs.Var(&roles, "role", "role (create; repeatable)")
	search := fs.String("search", "", "substring of e-mail or name (list)")
	limit := fs.Int("limit", 50, "page size (list)")
	offset := fs.Int("offset", 0, "page start (list)")
	dbURL := fs.String("database-url", "", "overrides GATEHOUSE_DATABASE_URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(nil, env)
	if err != nil {
		return err
	}
	if *dbURL != "" {
		cfg.DatabaseURL = *dbURL
	}
	repair := slices.Contains([]string{"show", "list", "rename", "delete"}, action)
	srv, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Stderr: stderr, Repair: repair})
	if err != nil {
		return err
	}
	defer srv.Close()
	if srv.Collisions != nil {
		fmt.Fprintln(stderr, "note: stored e-mail addresses collide; run `gatehouse migrate` once each account has an address of its own")
	}
	ctx = core.WithActor(ctx, cliActor(env)) // audit.go
	svc := srv.Identity
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	ref := func() (identity.User, error) {
		if fs.NArg() < 1 {
			return identity.User{}, fmt.Errorf("user %s needs a user (id, UUID or e-mail)", action)
		}
		return svc.FindUser(ctx, fs.Arg(0))
	}
	switch action {
	case "create":
		u, err := svc.AdminCreateUser(ctx, identity.Registration{Email: *email, Password: *pw, Name: *name, Locale: *locale, Source: *source}, *confirmed, roles)
		if err != nil {
			return err
		}
		return out.Encode(admin.View(u))
	case "list":
		users, total, err := svc.ListUsers(ctx, identity.UserFilter{Search: *search, Limit: *limit, Offset: *offset})
		if err != nil {
			return err
		}
		return out.Encode(map[string]any{"users": admin.Views(users, admin.View), "total": total})
	case "rename":
		u, err := ref()
		if err != nil {
			return err
		}
		if fs.NArg() < 2 {
			return errors.New("user rename needs the new e-mail address: gatehouse user rename REF NEW")
		}
		if u, err = svc.RenameUser(ctx, u.ID, fs.Arg(1), *confirmed); err != nil {
			return err
		}
		return out.Encode(admin.View(u))
	case "show", "lock", "unlock", "delete", "roles", "totp-remove":
		u, err := ref()
		if err != nil {
			return err
		}
		switch action {
		case "lock", "unlock":
			u, err = svc.SetLocked(ctx, u.ID, action == "lock")
		case "delete":
			if err = svc.DeleteUser(ctx, u.ID); err == nil {
				fmt.Fprintln(stdout, "deleted", u.Email)
				return nil
			}
		case "totp-remove":
			if err = srv.Factors.AdminRemoveTOTP(ctx, u); err == nil {
				fmt.Fprintln(stdout, "removed the authenticator of", u.Email)
				return nil
			}
		case "roles":
			var list []string
			if fs.NArg() > 1 && fs.Arg(1) != "" {
				list = strings.Split(fs.Arg(1), ",")
			}
			u, err = svc.SetRoles(ctx, u.ID, list)
		}
		if err != nil {
			return err
		}
		return out.Encode(admin.View(u))
	}
	return fmt.Errorf("unknown action %q\n%s", action, userUsage)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
