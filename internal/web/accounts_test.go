package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// linkIn is the first link of a mail's text that starts with prefix.
func linkIn(t *testing.T, text, prefix string) string {
	t.Helper()
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, prefix) {
			return f
		}
	}
	t.Fatalf("no link starting with %s in:\n%s", prefix, text)
	return ""
}

func TestRegisterConfirmFromTheMailAndSignIn(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	sent := capturePosts(b, "/register")
	b.Open("/register")
	b.Audit()
	b.Field("Email", "cleo@example.com")
	b.Field("Name", "Cleo")
	b.Field("Password", "a long passphrase 7")
	b.Press("Create account")
	if got := b.Text("[role=status]"); !strings.Contains(got, "cleo@example.com") {
		t.Fatalf("after Create account the page says %q", got)
	}
	b.Audit()
	if body := strings.Join(sent.all(), "\n"); strings.Contains(body, "passphrase") || !strings.Contains(body, "password_enc=") {
		t.Fatalf("the sign-up POST did not carry the password encrypted only: %s", body)
	}

	mail := b.Env.Mail.NextTo(t, "cleo@example.com", testenv.MailTimeout)
	link := linkIn(t, mail.Text, b.Env.URL+"/v1/user/confirm/")
	b.Run(chromedp.Navigate(link), chromedp.WaitReady("body", chromedp.ByQuery))
	if !b.HasButton("Confirm") {
		t.Fatalf("the confirmation link shows no Confirm button (at %s)", b.Path())
	}
	b.Audit()
	// Opening the link confirmed nothing yet: a mail scanner opens links.
	b.Open("/login")
	b.Field("Email", "cleo@example.com")
	b.Field("Password", "a long passphrase 7")
	b.Press("Sign in")
	if got := b.Text("#password-error"); !strings.Contains(got, "Confirm your e-mail") {
		t.Fatalf("an unconfirmed sign-in says %q", got)
	}

	b.Run(chromedp.Navigate(link), chromedp.WaitReady("body", chromedp.ByQuery))
	b.Press("Confirm")
	if got := b.Text("[role=status]"); !strings.Contains(got, "confirmed") {
		t.Fatalf("after Confirm the page says %q", got)
	}
	b.Open("/login")
	b.Field("Email", "cleo@example.com")
	b.Field("Password", "a long passphrase 7")
	b.Press("Sign in")
	if got := b.Path(); got != "/account" {
		t.Fatalf("after confirming, signing in leads to %q", got)
	}
	b.Press("Sign out")
}

func TestTheResetStoryFromTheMailsLink(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	webtest.Account(t, b.Env, "dan@example.com")
	b.Open("/login")
	b.Run(chromedp.Click(`//a[@href="/forgot"]`, chromedp.BySearch), chromedp.WaitVisible(`#email`, chromedp.ByQuery))
	b.Audit()
	b.Field("Email", "dan@example.com")
	b.Press("Send reset link")
	if got := b.Text("[role=status]"); !strings.Contains(got, "dan@example.com") {
		t.Fatalf("after Send reset link the page says %q", got)
	}
	mail := b.Env.Mail.NextTo(t, "dan@example.com", testenv.MailTimeout)
	link := linkIn(t, mail.Text, b.Env.URL+"/reset?token=")

	b.Run(chromedp.Navigate(link), chromedp.WaitVisible(`#password`, chromedp.ByQuery))
	if got := b.Path(); got != "/reset" {
		t.Fatalf("the reset link left the token in the address bar: %q", got)
	}
	b.Audit()
	b.Field("New password", "a brand new secret 9")
	b.Press("Set password")
	if got := b.Text("[role=status]"); !strings.Contains(got, "password is set") {
		t.Fatalf("after Set password the page says %q (at %s)", got, b.Path())
	}
	b.Field("Email", "dan@example.com")
	b.Field("Password", "a brand new secret 9")
	b.Press("Sign in")
	if got := b.Path(); got != "/account" {
		t.Fatalf("signing in with the new password leads to %q", got)
	}
	// The link is spent: opening it again shows no form.
	b.Run(chromedp.Navigate(link), chromedp.WaitReady("body", chromedp.ByQuery))
	b.Field("New password", "yet another secret 1")
	b.Press("Set password")
	if got := b.Text("[role=status]"); !strings.Contains(got, "no longer valid") {
		t.Fatalf("a spent reset link says %q", got)
	}
}

func TestTheOldResetLinkRedirectsToThePageAndItsPostStaysTheAPI(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	client := *e.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Get(e.URL + "/v1/user/password/reset?token=abc%2Bdef")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reset?token=abc%2Bdef" {
		t.Fatalf("GET of the old reset link: %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	r := e.Do("POST", "/v1/user/password/reset", map[string]any{"token": "unknown", "password": "whatever 12345"})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "invalid_or_expired_code") {
		t.Fatalf("POST of the reset API: %d %s", r.Status, r.Body)
	}
	// And the reset page takes the token out of its URL at once.
	res, err = client.Get(e.URL + "/reset?token=" + url.QueryEscape("some-token"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reset" {
		t.Fatalf("GET /reset?token=: %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "gh_reset" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "some-token" || !cookie.HttpOnly || cookie.MaxAge <= 0 || cookie.MaxAge > 3600 {
		t.Fatalf("the reset token's cookie: %+v", cookie)
	}
}

func TestTheConfirmationLinkStaysJSONForAPIClients(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Do("POST", "/v1/user", map[string]any{"login": "eve@example.com", "password": "correct horse 1"})
	code := e.Mail.NextTo(t, "eve@example.com", testenv.MailTimeout).Secret(t)
	r := e.Do("GET", "/v1/user/confirm/"+code, nil, "Accept", "*/*")
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"confirmed"`) {
		t.Fatalf("a JSON GET of the confirmation link: %d %s", r.Status, r.Body)
	}
}
