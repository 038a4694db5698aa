package account_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// TestScreenshotsOfTheCabinet writes a screenshot of every cabinet page,
// at the desktop and the phone width, in English and Russian, into the
// directory GATEHOUSE_SCREENSHOTS names (docs/pages.md: the command that
// keeps docs/screenshots current); without it the test skips.
func TestScreenshotsOfTheCabinet(t *testing.T) {
	dir := os.Getenv("GATEHOUSE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set GATEHOUSE_SCREENSHOTS=DIR to write the cabinet's screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := webtest.New(t, testenv.Options{})
	owner(t, b, "ann@example.com")
	b.Open("/account/keys") // a key in the list
	b.Field("Name", "till 1")
	b.Press("Create key")
	shoot := func(name string) {
		var png []byte
		b.Run(chromedp.FullScreenshot(&png, 100))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ name, path string }{
		{"profile", "/account"}, {"addresses", "/account/addresses"}, {"keys", "/account/keys"},
		{"sessions", "/account/sessions"}, {"factors", "/account/factors"}, {"cashier", "/account/cashier"},
	}
	for _, lang := range []string{"en", "ru"} {
		for _, vp := range []struct {
			name string
			v    webtest.Viewport
		}{{"desktop", webtest.Desktop}, {"phone", webtest.Phone}} {
			b.Viewport(vp.v)
			suffix := "-" + vp.name + "-" + lang
			for _, pg := range pages {
				b.Open(pg.path + "?lang=" + lang)
				shoot("account-" + pg.name + suffix)
			}
			// The enrolment of an authenticator app, with its QR code.
			b.Open("/account/factors")
			b.Run(chromedp.SendKeys("#password", password, chromedp.ByQuery))
			b.Run(chromedp.Submit("#password", chromedp.ByQuery), chromedp.WaitVisible("svg.qr", chromedp.ByQuery))
			shoot("account-totp" + suffix)
		}
	}
}
