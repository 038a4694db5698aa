package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

const bankUsage = `usage: gatehouse bank ACTION [flags]
  client-create  --id ID [--name N] [--confidential] [--grant G]... [--origin O]... [--access-ttl D] [--refresh-ttl D]
  client-list
  client-secret  ID          (a new secret, shown once)
  client-delete  ID
  customer-create --name N [--id N] [--external-id X] [--branch-code B]
  customer-list
  role-create    --code C [--name N] [--chains 'OTP_SMS;TOTP;OTP_EMAIL+TOTP'] [--device-skip]
  role-update    --code C [--name N] [--chains …] [--device-skip] ID
  role-list
  member-set     CUSTOMER_ID USER ROLE_ID   (USER: id, UUID or e-mail)
  member-remove  CUSTOMER_ID USER
  profile-set    --iin IIN [--phone +7…] USER
Flags come before arguments. Every action also takes --database-url; output is JSON.`

type bankFlags struct {
	id, name, extID, branch, code, chains, iin, phone, dbURL *string
	custID                                                   *int64
	confidential, skip                                       *bool
	access, refresh                                          *time.Duration
	grants, origins                                          multiFlag
}

func newBankFlags(fs *flag.FlagSet) *bankFlags {
	f := &bankFlags{
		id: fs.String("id", "", "client id"), name: fs.String("name", "", "name"), extID: fs.String("external-id", "", "customer external id"),
		branch: fs.String("branch-code", "", "customer branch code"), code: fs.String("code", "", "role code"),
		chains: fs.String("chains", "", "role chains: ';' between chains, '+' between factors"), iin: fs.String("iin", "", "IIN"),
		phone: fs.String("phone", "", "mobile phone for OTP_SMS, +country code (or national with GATEHOUSE_PHONE_REGION); stored in E.164"), dbURL: fs.String("database-url", "", "overrides GATEHOUSE_DATABASE_URL"),
		custID: fs.Int64("customer-id", 0, "customer id (customer-create; 0 assigns one)"), confidential: fs.Bool("confidential", false, "give the client a secret"),
		skip: fs.Bool("device-skip", false, "a trusted device may skip the chain"), access: fs.Duration("access-ttl", 0, "access token lifetime"),
		refresh: fs.Duration("refresh-ttl", 0, "refresh lifetime"),
	}
	fs.Var(&f.grants, "grant", "allowed grant type (repeatable)")
	fs.Var(&f.origins, "origin", "allowed origin (repeatable)")
	return f
}

// parseChains reads "OTP_SMS;TOTP" (two chains) or "OTP_SMS+TOTP" (one of two factors).
func parseChains(s string) [][]string {
	out := [][]string{}
	for _, ch := range strings.Split(s, ";") {
		if ch = strings.TrimSpace(ch); ch != "" {
			out = append(out, strings.Split(ch, "+"))
		}
	}
	return out
}

// bankCmd runs the admin API's bank registry operations on the configured database.
func bankCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	ctx = core.WithActor(ctx, cliActor(env)) // audit.go
	if len(args) == 0 {
		return usage(bankUsage)
	}
	action, args := args[0], args[1:]
	fs := flag.NewFlagSet("bank "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := newBankFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(nil, env)
	if err != nil {
		return err
	}
	if *f.dbURL != "" {
		cfg.DatabaseURL = *f.dbURL
	}
	srv, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Stderr: stderr})
	if err != nil {
		return err
	}
	defer srv.Close()
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	v, err := runBank(ctx, srv.Identity, srv.Bank, action, fs, f)
	if err != nil {
		return err
	}
	return out.Encode(v)
}

func runBank(ctx context.Context, svc *identity.Service, b *bank.Service, action string, fs *flag.FlagSet, f *bankFlags) (any, error) {
	arg := func(i int) string { return fs.Arg(i) }
	num := func(i int) (int64, error) {
		n, err := strconv.ParseInt(arg(i), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bank %s: argument %d must be a number", action, i+1)
		}
		return n, nil
	}
	switch action {
	case "client-create":
		c, secret, err := b.CreateClient(ctx, bank.ClientSpec{ID: *f.id, Name: *f.name, Confidential: *f.confidential,
			GrantTypes: f.grants, Origins: f.origins, AccessTTL: *f.access, RefreshTTL: *f.refresh})
		v := admin.ClientView(c)
		v.Secret = secret
		return v, err
	case "client-list":
		list, err := b.Clients(ctx)
		return map[string]any{"clients": admin.Views(list, admin.ClientView)}, err
	case "client-secret":
		secret, err := b.RotateClientSecret(ctx, arg(0))
		return map[string]string{"secret": secret}, err
	case "client-delete":
		return map[string]string{"deleted": arg(0)}, b.DeleteClient(ctx, arg(0))
	case "customer-create":
		c, err := b.CreateCustomer(ctx, bank.Customer{ID: *f.custID, Name: *f.name, ExternalID: *f.extID, BranchCode: *f.branch})
		return admin.CustomerView(c), err
	case "customer-list":
		list, total, err := b.Customers(ctx, 1000, 0)
		return map[string]any{"customers": admin.Views(list, admin.CustomerView), "total": total}, err
	case "role-create", "role-update":
		r := bank.CustomerRole{Code: *f.code, Name: *f.name, Chains: parseChains(*f.chains), DeviceSkip: *f.skip}
		if action == "role-create" {
			r, err := b.CreateCustomerRole(ctx, r)
			return admin.RoleView(r), err
		}
		id, err := num(0)
		if err != nil {
			return nil, err
		}
		r.ID = id
		r, err = b.UpdateCustomerRole(ctx, r)
		return admin.RoleView(r), err
	case "role-list":
		list, err := b.Roles(ctx)
		views := []admin.CustomerRole{}
		for _, r := range list {
			views = append(views, admin.RoleView(r))
		}
		return map[string]any{"roles": views}, err
	case "member-set", "member-remove":
		cust, err := num(0)
		if err != nil {
			return nil, err
		}
		u, err := svc.FindUser(ctx, arg(1))
		if err != nil {
			return nil, err
		}
		if action == "member-remove" {
			return map[string]any{"removed": u.Email}, b.RemoveMembership(ctx, u.ID, cust)
		}
		role, err := num(2)
		if err != nil {
			return nil, err
		}
		m, err := b.SetMembership(ctx, u.ID, cust, role)
		return admin.MemberView(m), err
	case "profile-set":
		u, err := svc.FindUser(ctx, arg(0))
		if err != nil {
			return nil, err
		}
		p, err := b.SetBankProfile(ctx, bank.Profile{UserID: u.ID, IIN: *f.iin, Phone: *f.phone})
		return admin.ProfileView(p), err
	}
	return nil, fmt.Errorf("unknown action %q\n%s", action, bankUsage)
}
