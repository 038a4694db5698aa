package web_test

import (
	"context"
	"errors"
	"strconv"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core"
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
	if path == "/admin/users/{ann}" {
		path = "/admin/users/" + strconv.FormatInt(ann.ID, 10)
	}
	b.Open(path)
}
