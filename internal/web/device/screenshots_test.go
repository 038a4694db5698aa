package device_test

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The device page's screenshots in docs/screenshots are made by this
// command, never by hand (docs/pages.md), with the other pages':
//
//	go test ./internal/web/... -run '^TestScreenshots$' -screenshots
//
// It writes the code form, the question and the answer at desktop and
// phone width, in English and Russian, as
// docs/screenshots/device-<page>-<lang>-<desktop|phone>.png.
var shoot = flag.Bool("screenshots", false, "write docs/screenshots/device-*.png (see screenshots_test.go)")

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
	if _, _, err := b.Env.Srv.Bank.CreateClient(t.Context(), bank.ClientSpec{ID: "cli", Name: "Deploy CLI",
		GrantTypes: []string{bank.GrantDeviceCode}, Metadata: bank.Metadata{AuthMethod: bank.AuthNone}}); err != nil {
		t.Fatal(err)
	}
	password := webtest.Account(t, b.Env, "ann@example.com")
	b.Open("/device")
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	photo := func(name string) {
		var png []byte
		b.Run(chromedp.FullScreenshot(&png, 100))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"en", "ru"} {
		for _, size := range []struct {
			name string
			v    webtest.Viewport
		}{{"desktop", webtest.Desktop}, {"phone", webtest.Phone}} {
			res := b.Env.For(t).DoRaw("POST", "/oauth2/device_authorization", "client_id=cli&scope=openid+email+offline_access",
				"Content-Type", "application/x-www-form-urlencoded")
			var da struct {
				UserCode string `json:"user_code"`
			}
			if res.JSON(t, &da); res.Status != http.StatusOK {
				t.Fatalf("device authorization: %d %s", res.Status, res.Body)
			}
			b.Viewport(size.v)
			suffix := "-" + lang + "-" + size.name
			b.Open("/device?lang=" + lang + "&user_code=" + da.UserCode)
			photo("device-code" + suffix)
			b.Run(chromedp.Click(`form[action="/device"] button`, chromedp.ByQuery), chromedp.WaitVisible(`form[action="/device/decide"]`, chromedp.ByQuery))
			photo("device-confirm" + suffix)
			b.Run(chromedp.Click(`button[value="approve"]`, chromedp.ByQuery), chromedp.WaitNotPresent(`form[action="/device/decide"]`, chromedp.ByQuery),
				chromedp.WaitReady("body", chromedp.ByQuery))
			photo("device-done" + suffix)
		}
	}
}
