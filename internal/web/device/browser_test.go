package device_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// Guessing user codes on the page meets the user_code rate limit (RFC
// 8628 §5.1): past it even the right code is refused, and nothing is
// answered. (The whole flow, with the relying-party libraries, is
// internal/door/oidc's device_browser_test.go.)
func TestGuessedUserCodesMeetTheRateLimitAndThenEvenTheRightOneIsRefused(t *testing.T) {
	b := webtest.New(t, testenv.Options{Config: func(c *config.Config) { c.RateLimits, c.RateLimitRules = "on", "user_code=0/3/0" }})
	if _, _, err := b.Env.Srv.Bank.CreateClient(t.Context(), bank.ClientSpec{ID: "cli", GrantTypes: []string{bank.GrantDeviceCode},
		Metadata: bank.Metadata{AuthMethod: bank.AuthNone}}); err != nil {
		t.Fatal(err)
	}
	res := b.Env.For(t).DoRaw("POST", "/oauth2/device_authorization", "client_id=cli", "Content-Type", "application/x-www-form-urlencoded")
	var da struct {
		UserCode string `json:"user_code"`
	}
	res.JSON(t, &da)
	if res.Status != http.StatusOK || da.UserCode == "" {
		t.Fatalf("device authorization: %d %s", res.Status, res.Body)
	}
	password := webtest.Account(t, b.Env, "ann@example.com")
	b.Open("/device")
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	for _, guess := range []string{"BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"} {
		b.Field("Code", guess)
		b.Press("Continue")
		if msg := b.Text("#code-error"); !strings.Contains(msg, "No pending request has this code") {
			t.Fatalf("guess %s shows %q", guess, msg)
		}
	}
	b.Field("Code", da.UserCode)
	b.Press("Continue")
	if msg := b.Text("#code-error"); !strings.Contains(strings.ToLower(msg), "too many") {
		t.Fatalf("the fourth code in a minute shows %q, want the rate limit", msg)
	}
	if b.HasButton("Approve") {
		t.Fatal("past the limit the page still asks to approve")
	}
	b.Audit()
	if _, err := b.Env.Srv.OAuth.PendingDevice(t.Context(), da.UserCode); err != nil {
		t.Fatalf("the request is no longer pending: %v", err)
	}
}

// A form without the pages' CSRF token changes nothing (403).
func TestTheDeviceFormsRefuseAPostWithoutTheCSRFToken(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for _, path := range []string{"/device", "/device/decide"} {
		res := e.For(t).DoRaw("POST", path, url.Values{"code": {"BCDF-GHJK"}, "decision": {"approve"}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded")
		if res.Status != http.StatusForbidden {
			t.Fatalf("POST %s without a CSRF token: %d, want 403", path, res.Status)
		}
	}
}
