package account_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The cabinet's screenshots in docs/screenshots are made by this command,
// never by hand (docs/pages.md), together with the other pages':
//
//	go test ./internal/web/... -run '^TestScreenshots$' -screenshots
//
// It writes every cabinet page at desktop and phone width, in English and
// Russian, as docs/screenshots/account-<page>-<lang>-<desktop|phone>.png.
var shoot = flag.Bool("screenshots", false, "write docs/screenshots/account-*.png (see screenshots_test.go)")

func TestScreenshots(t *testing.T) {
	if !*shoot {
		t.Skip("writes docs/screenshots only when asked: go test ./internal/web/... -run '^TestScreenshots$' -screenshots")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := webtest.New(t, testenv.Options{})
	ann := owner(t, b, "ann@example.com")
	b.Open("/account/keys") // a key in the list
	b.Field("Name", "till 1")
	b.Press("Create key")
	shifts(t, b, ann.ID) // a closed and an open shift in the history
	photo := func(name string) {
		var png []byte
		b.Run(chromedp.FullScreenshot(&png, 100))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ name, path string }{
		{"profile", "/account"}, {"addresses", "/account/addresses"}, {"keys", "/account/keys"},
		{"sessions", "/account/sessions"}, {"factors", "/account/factors"}, {"applications", "/account/applications"},
		{"cashier", "/account/cashier"},
		{"shifts", "/account/shifts"},
	}
	for _, lang := range []string{"en", "ru"} {
		for _, size := range []struct {
			name string
			v    webtest.Viewport
		}{{"desktop", webtest.Desktop}, {"phone", webtest.Phone}} {
			b.Viewport(size.v)
			suffix := "-" + lang + "-" + size.name
			for _, pg := range pages {
				b.Open(pg.path + "?lang=" + lang)
				photo("account-" + pg.name + suffix)
			}
			// The enrolment of an authenticator app, with its QR code.
			b.Open("/account/factors")
			b.Run(chromedp.SendKeys("#password", password, chromedp.ByQuery))
			b.Run(chromedp.Click(`form[action="/account/factors/totp"] button`, chromedp.ByQuery), chromedp.WaitVisible("svg.qr", chromedp.ByQuery))
			photo("account-totp" + suffix)
		}
	}
}

// shifts gives the owner a register with a closed shift and an open one.
func shifts(t *testing.T, b *webtest.Browser, userID int64) {
	t.Helper()
	ctx, cash := context.Background(), b.Env.Srv.Cashdesk
	reg, err := cash.CreateRegister(ctx, "4000123456", "Front till")
	if err == nil {
		_, err = cash.AssignRegister(ctx, reg.ID, userID)
	}
	if err != nil {
		t.Fatal(err)
	}
	sh, err := cash.OpenShift(ctx, userID, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	b.Env.Clock.Advance(2 * time.Hour)
	if _, err := cash.CloseShift(ctx, userID, sh.ID); err != nil {
		t.Fatal(err)
	}
	b.Env.Clock.Advance(30 * time.Minute)
	if _, err := cash.OpenShift(ctx, userID, reg.ID); err != nil {
		t.Fatal(err)
	}
}
