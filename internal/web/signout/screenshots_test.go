package signout_test

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The logout pages' screenshots in docs/screenshots are made by this
// command, never by hand (docs/pages.md), together with the other pages':
//
//	go test ./internal/web/... -run '^TestScreenshots$' -screenshots
//
// It writes the confirmation ("Sign out?") and the signed-out page at
// desktop and phone width, in English and Russian, as
// docs/screenshots/signout-<confirm|done>-<lang>-<desktop|phone>.png.
var shoot = flag.Bool("screenshots", false, "write docs/screenshots/signout-*.png (see screenshots_test.go)")

func TestScreenshots(t *testing.T) {
	if !*shoot {
		t.Skip("writes docs/screenshots only when asked: go test ./internal/web/... -run '^TestScreenshots$' -screenshots")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "docs", "screenshots")
	b := webtest.New(t, testenv.Options{})
	password := webtest.Account(t, b.Env, "ann@example.com")
	b.Open("/login")
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	for _, page := range []struct{ name, path string }{{"confirm", "/oauth2/logout"}, {"done", "/oauth2/logout/done"}} {
		for _, lang := range []string{"en", "ru"} {
			for _, size := range []struct {
				name string
				v    webtest.Viewport
			}{{"desktop", webtest.Desktop}, {"phone", webtest.Phone}} {
				b.Viewport(size.v)
				b.Open(page.path + "?lang=" + lang)
				var png []byte
				b.Run(chromedp.FullScreenshot(&png, 100))
				if err := os.WriteFile(filepath.Join(dir, "signout-"+page.name+"-"+lang+"-"+size.name+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
