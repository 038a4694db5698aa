package consent_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The consent page's screenshots in docs/screenshots are made by this
// command, never by hand (docs/pages.md), together with the other pages':
//
//	go test ./internal/web/... -run '^TestScreenshots$' -screenshots
//
// It writes the page at desktop and phone width, in English and Russian,
// as docs/screenshots/consent-<lang>-<desktop|phone>.png.
var shoot = flag.Bool("screenshots", false, "write docs/screenshots/consent-*.png (see screenshots_test.go)")

func TestScreenshots(t *testing.T) {
	if !*shoot {
		t.Skip("writes docs/screenshots only when asked: go test ./internal/web/... -run '^TestScreenshots$' -screenshots")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "docs", "screenshots")
	b := webtest.New(t, testenv.Options{})
	a := newApp(t)
	redirect := a.url() + "/callback"
	if _, _, err := b.Env.Srv.Bank.CreateClient(context.Background(), bank.ClientSpec{ID: "album", Name: "Photo Album",
		Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{redirect}}}); err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "album", RedirectURL: redirect, Scopes: []string{"openid", "email", "profile", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: b.Env.URL + "/oauth2/authorize"}}
	password := webtest.Account(t, b.Env, "ann@example.com")
	a.start(b, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	page := b.Path()
	for _, lang := range []string{"en", "ru"} {
		for _, size := range []struct {
			name string
			v    webtest.Viewport
		}{{"desktop", webtest.Desktop}, {"phone", webtest.Phone}} {
			b.Viewport(size.v)
			b.Open(page + "&lang=" + lang)
			var png []byte
			b.Run(chromedp.FullScreenshot(&png, 100))
			if err := os.WriteFile(filepath.Join(dir, "consent-"+lang+"-"+size.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
