package account_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The cabinet in a real browser (Chromium through chromedp) over a whole
// Gatehouse: each page is driven by its fields' labels and its buttons'
// names (docs/pages.md), and axe-core audits every page it opens.

const password = "correct horse 1"

// owner makes a confirmed account and signs it in in the browser.
func owner(t *testing.T, b *webtest.Browser, email string) identity.User {
	t.Helper()
	u, err := b.Env.Srv.Identity.AdminCreateUser(context.Background(), identity.Registration{Email: email, Password: password, Name: "Ann"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Open("/login")
	b.Field("Email", email)
	b.Field("Password", password)
	b.Press("Sign in")
	if p := b.Path(); !strings.HasPrefix(p, "/account") {
		t.Fatalf("signed in at %s, want the cabinet", p)
	}
	return u
}

// bearer is a plain HTTP client's GET of the platform API's profile with
// a bearer credential: its status.
func bearer(t *testing.T, e *testenv.Env, credential string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/v1/user/profile", nil)
	req.Header.Set("Authorization", "Bearer "+credential)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestAKeyMadeInTheCabinetOpensTheAPIUntilItIsRevoked(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	owner(t, b, "ann@example.com")
	b.Open("/account/keys")
	b.Audit()
	b.Field("Name", "till 1")
	b.Run(chromedp.Click(`#scope-platform`, chromedp.ByQuery))
	b.Press("Create key")
	if count(b, "[data-secret]") != 1 {
		t.Fatalf("no secret shown at %s: %s", b.Path(), b.Text("main"))
	}
	secret := strings.TrimSpace(b.Text("[data-secret]"))
	if !strings.HasPrefix(secret, identity.APIKeyPrefix) {
		t.Fatalf("shown secret %q is no API key", secret)
	}
	b.Audit()
	if got := bearer(t, b.Env, secret); got != http.StatusOK {
		t.Fatalf("the new key on the platform API: %d, want 200", got)
	}
	// The list shows it once used, without its secret.
	b.Open("/account/keys")
	if strings.Contains(b.Text("main"), secret) {
		t.Fatal("the key's secret is shown again")
	}
	b.Press("Revoke")
	if got := b.Text("[data-state]"); !strings.Contains(got, "Revoked") {
		t.Fatalf("state after Revoke: %q", got)
	}
	if got := bearer(t, b.Env, secret); got != http.StatusUnauthorized {
		t.Fatalf("the revoked key on the platform API: %d, want 401", got)
	}
	// Once the sign-in is older than GATEHOUSE_REAUTH_MAX_AGE, the form
	// asks for the password (encrypted in the browser), and a wrong one
	// makes no key.
	b.Env.Clock.Advance(b.Env.Config.ReauthMaxAge + time.Minute)
	b.Open("/account/keys")
	b.Field("Name", "till 2")
	b.Field("Password", "not the password")
	b.Press("Create key")
	if count(b, "[data-secret]") != 0 || b.Text("#password-error") == "" {
		t.Fatal("a wrong password made a key, or no error next to it")
	}
	b.Field("Password", password)
	b.Press("Create key")
	if count(b, "[data-secret]") != 1 {
		t.Fatalf("no key with the password: %s", b.Text("main"))
	}
}

func TestTheOwnerEditsTheProfileAndChangesThePassword(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	u := owner(t, b, "bob@example.com")
	b.Audit()
	b.Field("Name", "Bob Builder")
	b.Run(chromedp.SetValue(`#locale`, "uk", chromedp.ByQuery))
	b.Press("Save")
	stored, err := b.Env.Srv.Identity.User(context.Background(), u.ID)
	if err != nil || stored.Name != "Bob Builder" || stored.Locale != "uk" {
		t.Fatalf("stored profile %q %q, %v", stored.Name, stored.Locale, err)
	}
	b.Open("/account/addresses?lang=en")
	b.Audit()
	b.Field("Address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") // one letter's case off: checksum fails
	b.Press("Add address")
	if b.Text("#address-error") == "" {
		t.Fatal("no error next to a bad address")
	}
	b.Field("Address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	b.Field("Name", "wallet")
	b.Press("Add address")
	if got := b.Text("main"); !strings.Contains(got, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") {
		t.Fatalf("address not listed: %q", got)
	}
	b.Open("/account")
	// A wrong current password is refused next to its field.
	b.Field("Password", "not the password")
	b.Field("New password", "a brand new one 2")
	b.Press("Change password")
	if msg := b.Text("#current_password-error"); msg == "" {
		t.Fatal("no error next to the current password")
	}
	b.Audit()
	b.Field("Password", password)
	b.Field("New password", "a brand new one 2")
	b.Press("Change password")
	if got := b.Env.Do("POST", "/v1/auth/login", map[string]string{"username": "bob@example.com", "password": "a brand new one 2"}); got.Status != http.StatusOK {
		t.Fatalf("sign-in with the new password: %d %s", got.Status, got.Body)
	}
	if got := b.Env.Do("POST", "/v1/auth/login", map[string]string{"username": "bob@example.com", "password": password}); got.Status != http.StatusUnauthorized {
		t.Fatalf("sign-in with the old password: %d", got.Status)
	}
}

func TestRevokingAnotherSessionRefusesItsToken(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	owner(t, b, "cat@example.com")
	var pair struct {
		Access string `json:"access_token"`
	}
	b.Env.Do("POST", "/v1/auth/login", map[string]string{"username": "cat@example.com", "password": password}).JSON(t, &pair)
	if got := bearer(t, b.Env, pair.Access); got != http.StatusOK {
		t.Fatalf("the API session before: %d", got)
	}
	b.Open("/account/sessions")
	b.Audit()
	if n := count(b, "[data-session-id]"); n != 2 {
		t.Fatalf("%d sessions listed, want this browser's and the API's", n)
	}
	b.Press("Revoke") // the one other session: this browser's has no Revoke
	if got := bearer(t, b.Env, pair.Access); got != http.StatusUnauthorized {
		t.Fatalf("the revoked session's token: %d, want 401", got)
	}
	if n := count(b, "[data-session-id]"); n != 1 || b.Path() != "/account/sessions?done=revoked" {
		t.Fatalf("after Revoke: %d sessions at %s", n, b.Path())
	}
}

func TestTheOwnerEnrolsAnAuthenticatorWithTheShownSecret(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	owner(t, b, "dan@example.com")
	b.Open("/account/factors")
	b.Audit()
	b.Field("Password", password)
	b.Press("Set up authenticator")
	if count(b, "svg.qr path") != 1 {
		t.Fatal("no QR code drawn")
	}
	b.Audit()
	secret := strings.TrimSpace(b.Text("[data-totp-secret]"))
	// A wrong code keeps the same enrolment on the page, error by the field.
	b.Field("Code", "000000")
	b.Press("Verify")
	if b.Text("#code-error") == "" || strings.TrimSpace(b.Text("[data-totp-secret]")) != secret {
		t.Fatal("a wrong code did not show the same enrolment with its error")
	}
	code, err := totp.GenerateCode(secret, b.Env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Field("Code", code)
	b.Press("Verify")
	if n := count(b, "[data-recovery-codes] li"); n < 5 {
		t.Fatalf("%d recovery codes shown", n)
	}
	b.Audit()
	b.Open("/account/factors")
	if !strings.Contains(b.Text("[data-testid=totp-state]"), "authenticator app protects") {
		t.Fatalf("factor state: %q", b.Text("[data-testid=totp-state]"))
	}
}

func TestCashierDataAndCertificateAreSavedAndBadTaxIDsRefusedByTheirField(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	owner(t, b, "eve@example.com")
	b.Open("/account/cashier")
	b.Audit()
	b.Field("EDRPOU", "14360571") // wrong check digit
	b.Field("DRFO", "3184710691")
	b.Press("Save")
	if b.Text("#edrpou-error") == "" {
		t.Fatal("no error next to EDRPOU")
	}
	b.Audit()
	b.Field("EDRPOU", "14360570")
	b.Press("Save")
	if got := b.Path(); got != "/account/cashier?done=cashier" {
		t.Fatalf("after a valid save at %s", got)
	}
	pem := filepathOf(t, certtest.Load("cashier.pem"))
	b.Run(chromedp.SetUploadFiles(`#certificate`, []string{pem}, chromedp.ByQuery))
	b.Press("Upload certificate")
	if !strings.Contains(b.Path(), "done=certificate") || count(b, "[data-testid=certificate]") != 1 {
		t.Fatalf("certificate not shown after upload, at %s: %s", b.Path(), b.Text("main"))
	}
	b.Viewport(webtest.Phone)
	b.Audit()
}

func TestACabinetFormWithAForgedCSRFTokenIsRefusedAndChangesNothing(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	u := owner(t, b, "fay@example.com")
	b.Field("Name", "Mallory")
	b.Run(chromedp.SetAttributeValue(`form[action="/account/profile"] input[name=csrf]`, "value", "forged", chromedp.ByQuery))
	b.Press("Save")
	if got := b.Text("main"); !strings.Contains(got, "expired or came from another site") {
		t.Fatalf("no CSRF refusal: %q", got)
	}
	stored, err := b.Env.Srv.Identity.User(context.Background(), u.ID)
	if err != nil || stored.Name != "Ann" {
		t.Fatalf("the name changed to %q (%v)", stored.Name, err)
	}
}

// filepathOf writes data to a file the browser can upload.
func filepathOf(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cashier.pem")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// count is how many elements match a CSS selector.
func count(b *webtest.Browser, sel string) int {
	var n int
	b.Run(chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}
