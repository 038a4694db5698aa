package web_test

import (
	"context"
	"strconv"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The admin console's screens (internal/web/console), photographed by the
// same command: ann is made an admin through the core, then signs in (with
// her authenticator) and opens the page.
func init() {
	for _, s := range []struct{ name, path string }{
		{"admin", "/admin"},
		{"admin-users", "/admin/users?q=example"},
		{"admin-user", "/admin/users/{ann}"},
		{"admin-audit", "/admin/audit?type=login."},
		{"admin-keys-confirm", "/admin/keys/confirm"},
	} {
		Screens = append(Screens, screen{s.name, func(b *webtest.Browser, pw, secret string) { asAdmin(b, pw, secret, s.path) }})
	}
}

func asAdmin(b *webtest.Browser, pw, secret, path string) {
	t, ctx := b.T(), context.Background()
	ann, err := b.Env.Srv.Identity.FindUser(ctx, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Env.Srv.Identity.SetRoles(ctx, ann.ID, []string{identity.AdminRole}); err != nil {
		t.Fatal(err)
	}
	toCode(b, pw)
	b.Fill("#code", webtest.TOTP(t, b.Env, secret))
	b.Run(chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible("[data-testid=email]", chromedp.ByQuery))
	if path == "/admin/users/{ann}" {
		path = "/admin/users/" + strconv.FormatInt(ann.ID, 10)
	}
	b.Open(path)
}
