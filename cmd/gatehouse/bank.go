package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// bankCmd runs the admin API's bank registry operations on the configured
// database (docs/bank.md).
func (c *cli) bankCmd() *cobra.Command {
	g := group("bank", "Bank door: clients, customers, roles, memberships, profiles",
		c.action("client-create --id ID", "Register an OAuth client (a confidential one's secret is shown once)", 0, 0, clientFlags, c.clientCreate),
		c.action("client-list", "List the clients", 0, 0, nil, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			list, err := srv.Bank.Clients(cmd.Context())
			return map[string]any{"clients": admin.Views(list, admin.ClientView)}, err
		}),
		c.action("client-secret ID", "Give a client a new secret, shown once", 1, 1, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			secret, err := srv.Bank.RotateClientSecret(cmd.Context(), a[0])
			return map[string]string{"secret": secret}, notFound(err, "no client %q", a[0])
		}),
		c.action("client-delete ID", "Delete a client", 1, 1, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			return map[string]string{"deleted": a[0]}, notFound(srv.Bank.DeleteClient(cmd.Context(), a[0]), "no client %q", a[0])
		}),
		c.action("customer-create --name N", "Create a customer", 0, 0, customerFlags, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			f := cmd.Flags()
			id, _ := f.GetInt64("customer-id")
			cust, err := srv.Bank.CreateCustomer(cmd.Context(), bank.Customer{ID: id, Name: str(f, "name"), ExternalID: str(f, "external-id"), BranchCode: str(f, "branch-code")})
			return admin.CustomerView(cust), err
		}),
		c.action("customer-list", "List the customers", 0, 0, nil, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			list, total, err := srv.Bank.Customers(cmd.Context(), 1000, 0)
			return map[string]any{"customers": admin.Views(list, admin.CustomerView), "total": total}, err
		}),
		c.action("role-create --code C", "Create a customer role and its factor chains", 0, 0, roleFlags, c.roleSave),
		c.action("role-update --code C ID", "Change a customer role (a new version)", 1, 1, roleFlags, c.roleSave),
		c.action("role-list", "List the customer roles", 0, 0, nil, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			list, err := srv.Bank.Roles(cmd.Context())
			return map[string]any{"roles": admin.Views(list, admin.RoleView)}, err
		}),
		c.action("member-set CUSTOMER_ID USER ROLE_ID", "Give USER (id, UUID or e-mail) a role at a customer", 3, 3, nil, c.memberSet),
		c.action("member-remove CUSTOMER_ID USER", "Take USER's membership of a customer away", 2, 2, nil, c.memberSet),
		c.action("profile-set --iin IIN USER", "Set USER's bank profile: IIN and mobile phone", 1, 1, profileFlags, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			u, err := findUser(cmd.Context(), srv.Identity, a[0])
			if err != nil {
				return nil, err
			}
			p, err := srv.Bank.SetBankProfile(cmd.Context(), bank.Profile{UserID: u.ID, IIN: str(cmd.Flags(), "iin"), Phone: str(cmd.Flags(), "phone")})
			return admin.ProfileView(p), err
		}),
	)
	toolFlags(g.PersistentFlags())
	outputFlag(g.PersistentFlags())
	return g
}

// actionRun is one bank action; its answer is printed as --output says.
type actionRun func(cmd *cobra.Command, srv *app.App, args []string) (any, error)

func (c *cli) action(use, short string, min, max int, flags func(*pflag.FlagSet), run actionRun) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: args(min, max), RunE: func(cmd *cobra.Command, a []string) error {
		srv, err := c.openApp(cmd, false)
		if err != nil {
			return err
		}
		defer srv.Close()
		cmd.SetContext(core.WithActor(cmd.Context(), cliActor(c.env))) // audit.go
		v, err := run(cmd, srv, a)
		if err != nil {
			return err
		}
		return c.print(cmd, v)
	}}
	if flags != nil {
		flags(cmd.Flags())
	}
	return cmd
}

func clientFlags(f *pflag.FlagSet) {
	f.String("id", "", "client id")
	f.String("name", "", "name")
	f.Bool("confidential", false, "give the client a secret")
	f.StringArray("grant", nil, "allowed grant type (repeatable)")
	f.StringArray("origin", nil, "allowed origin (repeatable)")
	f.Duration("access-ttl", 0, "access token lifetime (0: GATEHOUSE_ACCESS_TTL)")
	f.Duration("refresh-ttl", 0, "refresh lifetime (0: GATEHOUSE_REFRESH_TTL)")
}

func customerFlags(f *pflag.FlagSet) {
	f.String("name", "", "name")
	f.Int64("customer-id", 0, "customer id (0 assigns one)")
	f.String("external-id", "", "external id")
	f.String("branch-code", "", "branch code")
}

func roleFlags(f *pflag.FlagSet) {
	f.String("code", "", "role code")
	f.String("name", "", "name")
	f.String("chains", "", "factor chains: ';' between chains, '+' between the factors of one (OTP_SMS;TOTP;OTP_EMAIL+TOTP)")
	f.Bool("device-skip", false, "a trusted device may skip the chain")
}

func profileFlags(f *pflag.FlagSet) {
	f.String("iin", "", "IIN (12 digits with its check digit)")
	f.String("phone", "", "mobile phone for OTP_SMS, +country code (or national with GATEHOUSE_PHONE_REGION); stored in E.164")
}

func str(f *pflag.FlagSet, name string) string { v, _ := f.GetString(name); return v }

func (c *cli) clientCreate(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
	f := cmd.Flags()
	confidential, _ := f.GetBool("confidential")
	grants, _ := f.GetStringArray("grant")
	origins, _ := f.GetStringArray("origin")
	access, _ := f.GetDuration("access-ttl")
	refresh, _ := f.GetDuration("refresh-ttl")
	cl, secret, err := srv.Bank.CreateClient(cmd.Context(), bank.ClientSpec{ID: str(f, "id"), Name: str(f, "name"), Confidential: confidential,
		GrantTypes: grants, Origins: origins, AccessTTL: access, RefreshTTL: refresh})
	v := admin.ClientView(cl)
	v.Secret = secret
	return v, err
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

func (c *cli) roleSave(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
	f := cmd.Flags()
	skip, _ := f.GetBool("device-skip")
	r := bank.CustomerRole{Code: str(f, "code"), Name: str(f, "name"), Chains: parseChains(str(f, "chains")), DeviceSkip: skip}
	if len(a) == 0 {
		r, err := srv.Bank.CreateCustomerRole(cmd.Context(), r)
		return admin.RoleView(r), err
	}
	id, err := number(cmd, "role id", a[0])
	if err != nil {
		return nil, err
	}
	r.ID = id
	r, err = srv.Bank.UpdateCustomerRole(cmd.Context(), r)
	return admin.RoleView(r), notFound(err, "no role %d", id)
}

// memberSet is member-set CUSTOMER_ID USER ROLE_ID and member-remove
// CUSTOMER_ID USER.
func (c *cli) memberSet(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
	cust, err := number(cmd, "customer id", a[0])
	if err != nil {
		return nil, err
	}
	u, err := findUser(cmd.Context(), srv.Identity, a[1])
	if err != nil {
		return nil, err
	}
	if len(a) == 2 {
		return map[string]any{"removed": u.Email}, notFound(srv.Bank.RemoveMembership(cmd.Context(), u.ID, cust), "%s is no member of customer %d", u.Email, cust)
	}
	role, err := number(cmd, "role id", a[2])
	if err != nil {
		return nil, err
	}
	m, err := srv.Bank.SetMembership(cmd.Context(), u.ID, cust, role)
	return admin.MemberView(m), err
}

// number reads a numeric argument, or refuses it naming what it is.
func number(cmd *cobra.Command, what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, usage(cmd, "the %s %q is not a number", what, s)
	}
	return n, nil
}
