package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

const registerUsage = `usage: gatehouse register ACTION [flags]
  create    [--name N] FISCAL_NUMBER
  list
  assign    REGISTER_ID USER     (USER: numeric id, UUID or e-mail)
  unassign  REGISTER_ID USER
Every action also takes --database-url; output is JSON.`

const developerUsage = `usage: gatehouse developer ACTION [flags]
  create  NAME
  list
  set     USER DEVELOPER_ID|none   (the developer_id the cashdesk door reports for USER)
Every action also takes --database-url; output is JSON.`

// cashdeskCLI is what both commands share: parsed flags and a built core.
type cashdeskCLI struct {
	fs   *flag.FlagSet
	svc  *identity.Service
	desk *cashdesk.Service
	out  *json.Encoder
	done func()
}

func openCashdesk(ctx context.Context, name string, args []string, env func(string) string, stderr, stdout io.Writer, extra func(*flag.FlagSet)) (*cashdeskCLI, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database-url", "", "overrides GATEHOUSE_DATABASE_URL")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg, err := config.Load(nil, env)
	if err != nil {
		return nil, err
	}
	if *dbURL != "" {
		cfg.DatabaseURL = *dbURL
	}
	srv, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Stderr: stderr})
	if err != nil {
		return nil, err
	}
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	return &cashdeskCLI{fs: fs, svc: srv.Identity, desk: srv.Cashdesk, out: out, done: func() { srv.Close() }}, nil
}

// registerCmd manages cash registers, as the admin API's /admin/v1/registers.
func registerCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	ctx = core.WithActor(ctx, cliActor(env)) // audit.go
	if len(args) == 0 {
		return usage(registerUsage)
	}
	action := args[0]
	var name *string
	c, err := openCashdesk(ctx, "register "+action, args[1:], env, stderr, stdout, func(fs *flag.FlagSet) {
		name = fs.String("name", "", "register name (create)")
	})
	if err != nil {
		return err
	}
	defer c.done()
	switch action {
	case "create":
		if c.fs.NArg() != 1 {
			return usage(registerUsage)
		}
		r, err := c.desk.CreateRegister(ctx, c.fs.Arg(0), *name)
		if err != nil {
			return err
		}
		return c.out.Encode(admin.RegisterView(r))
	case "list":
		regs, err := c.desk.Registers(ctx)
		if err != nil {
			return err
		}
		return c.out.Encode(map[string]any{"registers": admin.Views(regs, admin.RegisterView)})
	case "assign", "unassign":
		if c.fs.NArg() != 2 {
			return usage(registerUsage)
		}
		id, err := strconv.ParseInt(c.fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("register id %q is not a number", c.fs.Arg(0))
		}
		u, err := c.svc.FindUser(ctx, c.fs.Arg(1))
		if err != nil {
			return err
		}
		var r cashdesk.Register
		if action == "assign" {
			r, err = c.desk.AssignRegister(ctx, id, u.ID)
		} else {
			r, err = c.desk.UnassignRegister(ctx, id, u.ID)
		}
		if err != nil {
			return err
		}
		return c.out.Encode(admin.RegisterView(r))
	}
	return fmt.Errorf("unknown action %q\n%s", action, registerUsage)
}

// developerCmd manages developers (integrators), as /admin/v1/developers.
func developerCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	ctx = core.WithActor(ctx, cliActor(env)) // audit.go
	if len(args) == 0 {
		return usage(developerUsage)
	}
	action := args[0]
	c, err := openCashdesk(ctx, "developer "+action, args[1:], env, stderr, stdout, nil)
	if err != nil {
		return err
	}
	defer c.done()
	switch action {
	case "create":
		if c.fs.NArg() != 1 {
			return usage(developerUsage)
		}
		d, err := c.desk.CreateDeveloper(ctx, c.fs.Arg(0))
		if err != nil {
			return err
		}
		return c.out.Encode(admin.DeveloperView(d))
	case "list":
		devs, err := c.desk.Developers(ctx)
		if err != nil {
			return err
		}
		return c.out.Encode(map[string]any{"developers": admin.Views(devs, admin.DeveloperView)})
	case "set":
		if c.fs.NArg() != 2 {
			return usage(developerUsage)
		}
		u, err := c.svc.FindUser(ctx, c.fs.Arg(0))
		if err != nil {
			return err
		}
		var dev *int64
		if c.fs.Arg(1) != "none" {
			id, err := strconv.ParseInt(c.fs.Arg(1), 10, 64)
			if err != nil {
				return fmt.Errorf("developer id %q is not a number (or none)", c.fs.Arg(1))
			}
			dev = &id
		}
		p, err := c.desk.SetDeveloper(ctx, u.ID, dev)
		if err != nil {
			return err
		}
		return c.out.Encode(map[string]any{"user_id": u.ID, "developer_id": p.DeveloperID})
	}
	return fmt.Errorf("unknown action %q\n%s", action, developerUsage)
}
