package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

func TestAnAccountWithAnAuthenticatorPassesItsCodeToSignIn(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	password := webtest.Account(t, b.Env, "fay@example.com")
	secret := webtest.EnrolTOTP(t, b.Env, "fay@example.com", password)

	b.Open("/login?continue=%2Faccount%2Fkeys")
	b.Field("Email", "fay@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	if got := b.Path(); !strings.HasPrefix(got, "/login/code") {
		t.Fatalf("the right password of an account with TOTP leads to %q, want the code step", got)
	}
	b.Audit()
	b.Field("Code", "000000")
	b.Press("Verify")
	if got := b.Text("#code-error"); got != "This code is not valid. Try the current one." {
		t.Fatalf("a wrong code says %q", got)
	}
	b.Field("Code", webtest.TOTP(t, b.Env, secret))
	b.Press("Verify")
	// The continuation survives the factor step; /account/keys is the
	// cabinet's (not built here), so only the redirect is checked.
	if got := b.Path(); got != "/account/keys" {
		t.Fatalf("after the code the browser is at %q, want the continuation", got)
	}
	b.Open("/account")
	if got := b.Text("[data-testid=email]"); got != "fay@example.com" {
		t.Fatalf("signed in with a factor, /account names %q", got)
	}
}

func TestAFormFromAnotherSiteOrWithoutItsTokenIsRefused(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	webtest.Account(t, b.Env, "gus@example.com")
	b.Open("/forgot")
	// A forged token: the form is sent with a value the server never made.
	b.Run(chromedp.SetAttributeValue(`input[name=csrf]`, "value", "forged", chromedp.ByQuery))
	b.Field("Email", "gus@example.com")
	b.Press("Send reset link")
	if got := b.Text("[role=alert]"); !strings.Contains(got, "expired or came from another site") {
		t.Fatalf("a forged CSRF token is answered %q", got)
	}
	b.Audit()
	b.Env.Mail.None(t)
}
