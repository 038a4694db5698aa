package web_test

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The screenshots of docs/screenshots are made by this command, never by
// hand (README "Hosted pages", docs/pages.md):
//
//	go test ./internal/web -run '^TestScreenshots$' -screenshots
//
// It writes every page of Screens at desktop and phone width, in English and
// Russian, as docs/screenshots/<page>-<lang>-<desktop|phone>.png. Other
// areas (the cabinet, the admin console, the OpenID pages) add their pages
// to Screens.
var shoot = flag.Bool("screenshots", false, "write docs/screenshots/*.png (see screenshots_test.go)")

// screen is one page to photograph: how to reach it from a fresh browser
// on a server where ann@example.com (password pw) exists and has an
// authenticator app enrolled (secret).
type screen struct {
	name string
	open func(b *webtest.Browser, pw, secret string)
}

var Screens = []screen{
	{"login", func(b *webtest.Browser, _, _ string) { b.Open("/login") }},
	{"login-error", func(b *webtest.Browser, _, _ string) {
		b.Open("/login")
		b.Fill("#email", "ann@example.com")
		b.Fill("#password", "not the password")
		b.Run(chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible("#password-error", chromedp.ByQuery))
	}},
	{"login-code", func(b *webtest.Browser, pw, _ string) { toCode(b, pw) }},
	{"account", func(b *webtest.Browser, pw, secret string) {
		toCode(b, pw)
		b.Fill("#code", webtest.TOTP(b.T(), b.Env, secret))
		b.Run(chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible("[data-testid=email]", chromedp.ByQuery))
	}},
	{"register", func(b *webtest.Browser, _, _ string) { b.Open("/register") }},
	{"confirm", func(b *webtest.Browser, _, _ string) { b.Open("/v1/user/confirm/a-code-from-the-mail") }},
	{"forgot", func(b *webtest.Browser, _, _ string) { b.Open("/forgot") }},
	{"reset", func(b *webtest.Browser, _, _ string) { b.Open("/reset?token=a-token-from-the-mail") }},
	// The bank-style steps (chain.go): olena@example.com is a member of two
	// companies, ivan@example.com of one whose role requires an authenticator.
	{"login-company", func(b *webtest.Browser, _, _ string) { toStep(b, "olena@example.com", "#company") }},
	{"login-chain", func(b *webtest.Browser, _, _ string) {
		toStep(b, "olena@example.com", "#company")
		b.Run(chromedp.Evaluate(`(() => { const s = document.querySelector('#company'); s.value = [...s.options].find(o => o.text === 'Company CLERK').value; })()`, nil),
			chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible("[data-chains]", chromedp.ByQuery))
	}},
	{"login-enrol", func(b *webtest.Browser, _, _ string) {
		toStep(b, "ivan@example.com", "main form[action='/login/enrol'] button")
		b.Run(chromedp.Click("main form[action='/login/enrol'] button", chromedp.ByQuery), chromedp.WaitVisible("[data-totp-secret]", chromedp.ByQuery))
	}},
}

// toStep signs a member of companies in (webtest.Account's password) up to
// the page on which sel is visible.
func toStep(b *webtest.Browser, email, sel string) {
	b.Open("/login")
	b.Fill("#email", email)
	b.Fill("#password", "correct horse "+strings.Split(email, "@")[0])
	b.Run(chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible(sel, chromedp.ByQuery))
}

// toCode signs ann in up to the factor step.
func toCode(b *webtest.Browser, pw string) {
	b.Open("/login")
	b.Fill("#email", "ann@example.com")
	b.Fill("#password", pw)
	b.Run(chromedp.Click("button[type=submit]", chromedp.ByQuery), chromedp.WaitVisible("#code", chromedp.ByQuery))
}

func TestScreenshots(t *testing.T) {
	if !*shoot {
		t.Skip("writes docs/screenshots only when asked: go test ./internal/web -run '^TestScreenshots$' -screenshots")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, testenv.Options{Config: func(c *config.Config) { c.AdminToken = chainAdmin }})
	pw := webtest.Account(t, env, "ann@example.com")
	secret := webtest.EnrolTOTP(t, env, "ann@example.com", pw)
	webtest.Account(t, env, "olena@example.com")
	withCompanies(t, env, "olena@example.com", role{code: "ACCOUNTANT", chains: [][]string{{"OTP_EMAIL"}}},
		role{code: "CLERK", chains: [][]string{{"OTP_EMAIL"}, {"OTP_SMS"}, {"TOTP"}}, skip: true})
	webtest.Account(t, env, "ivan@example.com")
	withCompanies(t, env, "ivan@example.com", role{code: "SIGNER", chains: [][]string{{"TOTP"}}})
	chromium := webtest.Chromium(t)
	for _, lang := range []string{"en", "ru"} {
		for _, size := range []struct {
			name string
			v    webtest.Viewport
		}{{"desktop", webtest.Desktop}, {"phone", webtest.Phone}} {
			b := webtest.Attach(t, env, chromium)
			b.Viewport(size.v)
			for _, s := range Screens {
				b.Run(network.ClearBrowserCookies()) // no session: every screen starts anew
				b.Open("/login?lang=" + lang)
				env.Clock.Advance(31e9) // a TOTP code of its own for every sign-in
				s.open(b, pw, secret)
				var png []byte
				b.Run(chromedp.CaptureScreenshot(&png))
				name := strings.Join([]string{s.name, lang, size.name}, "-") + ".png"
				if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
				if len(png) < 1000 {
					t.Fatalf("%s: a screenshot of %d bytes", name, len(png))
				}
			}
		}
	}
}
