package web_test

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The admin console's screens (internal/web/console), photographed by the
// same command: root@example.com, an admin made through the core (as
// `gatehouse user create --role admin` makes one), signs in and opens the
// page. ann's authenticator is left to ann's own screens: its codes count
// against her per-user attempts.
func init() {
	for _, s := range []struct{ name, path string }{
		{"admin", "/admin"},
		{"admin-users", "/admin/users?q=example"},
		{"admin-user", "/admin/users/{ann}"},
		{"admin-customer", "/admin/customers/{customer}"},
		{"admin-roles", "/admin/roles"},
		{"admin-role", "/admin/roles/{role}"},
		{"admin-audit", "/admin/audit?type=login."},
		{"admin-keys-confirm", "/admin/keys/confirm"},
	} {
		Screens = append(Screens, screen{s.name, func(b *webtest.Browser, _, _ string) { asAdmin(b, s.path) }})
	}
}

const rootPassword = "correct horse root"

func asAdmin(b *webtest.Browser, path string) {
	t, ctx := b.T(), context.Background()
	_, err := b.Env.Srv.Identity.AdminCreateUser(ctx, identity.Registration{Email: "root@example.com", Password: rootPassword},
		true, []string{identity.AdminRole})
	if err != nil && !errors.Is(err, core.ErrLoginTaken) {
		t.Fatal(err)
	}
	ann, err := b.Env.Srv.Identity.FindUser(ctx, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b.Open("/login")
	b.Fill("#email", "root@example.com")
	b.Fill("#password", rootPassword)
	b.Run(chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible("[data-testid=email]", chromedp.ByQuery))
	cust, role := bankRegistry(b, ann.ID)
	path = strings.NewReplacer("{ann}", strconv.FormatInt(ann.ID, 10), "{customer}", strconv.FormatInt(cust, 10),
		"{role}", strconv.FormatInt(role, 10)).Replace(path)
	b.Open(path)
}

// bankRegistry makes (once) a customer with ann as its director and a
// second role, for the console's bank pages; it returns the customer's
// and the director role's ids.
func bankRegistry(b *webtest.Browser, annID int64) (customer, role int64) {
	t, ctx, srv := b.T(), context.Background(), b.Env.Srv
	if roles, err := srv.Bank.Roles(ctx); err != nil {
		t.Fatal(err)
	} else if len(roles) > 0 {
		return 777001, roles[0].ID
	}
	dir, err := srv.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "DIRECTOR", Name: "Director", Chains: [][]string{{"TOTP"}, {"OTP_SMS", "OTP_EMAIL"}}, DeviceSkip: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "ACCOUNTANT", Name: "Accountant", Chains: [][]string{{"OTP_EMAIL"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Bank.CreateCustomer(ctx, bank.Customer{ID: 777001, Name: "Acme LLP", ExternalID: "ACME-1", BranchCode: "ALA-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Bank.SetMembership(ctx, annID, 777001, dir.ID); err != nil {
		t.Fatal(err)
	}
	return 777001, dir.ID
}
