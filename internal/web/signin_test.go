package web_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// posts records the bodies of the form POSTs the browser sends to path.
type posts struct {
	mu     sync.Mutex
	bodies []string
}

func (p *posts) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bodies...)
}

func capturePosts(b *webtest.Browser, path string) *posts {
	p := &posts{}
	chromedp.ListenTarget(b.Ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || e.Request.Method != "POST" || !strings.HasSuffix(strings.SplitN(e.Request.URL, "?", 2)[0], path) {
			return
		}
		var body strings.Builder
		for _, entry := range e.Request.PostDataEntries {
			raw, _ := base64.StdEncoding.DecodeString(entry.Bytes)
			body.Write(raw)
		}
		p.mu.Lock()
		p.bodies = append(p.bodies, body.String())
		p.mu.Unlock()
	})
	b.Run(network.Enable())
	return p
}

func TestSignInSendsOnlyCiphertextAndReachesTheAccount(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	password := webtest.Account(t, b.Env, "ann@example.com")
	sent := capturePosts(b, "/login")

	b.Open("/account")
	if got := b.Path(); got != "/login?continue=%2Faccount" {
		t.Fatalf("an anonymous visit to /account went to %q, want the sign-in", got)
	}
	b.Audit()
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	if got := b.Path(); got != "/account" {
		t.Fatalf("after signing in the browser is at %q, want /account", got)
	}
	if got := b.Text(`[data-testid=email]`); got != "ann@example.com" {
		t.Fatalf("the account page names %q", got)
	}
	b.Audit()

	bodies := sent.all()
	if len(bodies) != 1 {
		t.Fatalf("%d POSTs to /login, want 1", len(bodies))
	}
	form, err := url.ParseQuery(bodies[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(bodies[0], url.QueryEscape(password)) || strings.Contains(bodies[0], "ann%40example.com") {
		t.Fatalf("the sign-in POST carried the credentials in clear: %s", bodies[0])
	}
	for _, f := range []string{"login_enc", "password_enc"} {
		ct, err := base64.StdEncoding.DecodeString(form.Get(f))
		if err != nil || len(ct) != 256 { // RSA-2048: one 256-byte block
			t.Fatalf("%s = %q is no RSA-2048 ciphertext", f, form.Get(f))
		}
	}

	b.Press("Sign out")
	if got := b.Path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("after signing out the browser is at %q", got)
	}
	b.Open("/account")
	if got := b.Path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("after signing out /account still opens (at %q)", got)
	}
}

func TestAWrongPasswordIsShownNextToTheField(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	webtest.Account(t, b.Env, "bob@example.com")
	b.Open("/login")
	b.Field("Email", "bob@example.com")
	b.Field("Password", "not the password")
	b.Press("Sign in")
	if got := b.Text(`#password-error`); got != "Wrong e-mail or password." {
		t.Fatalf("the error next to Password says %q", got)
	}
	var described string
	b.Run(chromedp.AttributeValue(`#password`, "aria-describedby", &described, nil, chromedp.ByQuery))
	if described != "password-error" {
		t.Fatalf("the password field is not described by its error (%q)", described)
	}
	b.Audit()
}

func TestEveryLocaleRendersItsOwnStrings(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	for _, c := range []struct{ lang, title string }{{"en", "Sign in"}, {"ru", "Вход"}, {"uk", "Вхід"}} {
		lang, title := c.lang, c.title
		b.Open("/login?lang=" + lang)
		if got := b.Text("h1"); got != title {
			t.Errorf("/login?lang=%s: heading %q, want %q", lang, got, title)
		}
		var htmlLang string
		b.Run(chromedp.AttributeValue("html", "lang", &htmlLang, nil, chromedp.ByQuery))
		if htmlLang != lang {
			t.Errorf("/login?lang=%s: <html lang=%q>", lang, htmlLang)
		}
		b.Audit()
	}
	// The choice is remembered: a page opened without ?lang= keeps it.
	b.Open("/login")
	if got := b.Text("h1"); got != "Вхід" {
		t.Errorf("the language chosen last (uk) is not remembered: heading %q", got)
	}
}

func TestThePagesFitAPhoneScreen(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	b.Viewport(webtest.Phone)
	b.Open("/login")
	var overflow bool
	b.Run(chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
	if overflow {
		t.Fatal("the sign-in page is wider than a 360-pixel screen")
	}
	var buttonWidth float64
	b.Run(chromedp.Evaluate(`document.querySelector('button[type=submit]').getBoundingClientRect().width`, &buttonWidth))
	if buttonWidth < 300 {
		t.Fatalf("the Sign in button is %.0f px wide on a phone, want the full width", buttonWidth)
	}
	b.Audit()
}
