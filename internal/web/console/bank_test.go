package console_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// The bank registry in the console: an admin makes a customer, a role
// whose one chain is TOTP, a membership and a bank profile, each through
// its form; the member's sign-in at the bank door (plain HTTP, the
// published API's token endpoint) then offers that customer and, once it
// is chosen, that role and its chain. The core audits every change with
// the admin as actor.

const (
	iin      = "900101300126"   // check digit valid (core/bank's IIN tests)
	webBasic = "Basic V0VCOg==" // the bank's front end: client WEB, no secret
)

// selectOption picks the option of the select sel whose text starts with text.
func selectOption(b *webtest.Browser, sel, text string) {
	b.T().Helper()
	var ok bool
	b.Run(chromedp.Evaluate(fmt.Sprintf(`(() => { const s = document.querySelector(%q);
		const o = [...s.options].find(o => o.textContent.trim().startsWith(%q));
		if (!o) return false; s.value = o.value; return true; })()`, sel, text), &ok))
	if !ok {
		b.T().Fatalf("no option %q in %s", text, sel)
	}
}

// bankEncrypt seals s as the bank's front end does (RSA-OAEP, SHA-256,
// under the key GET /auth/oauth/public-key publishes), standard base64.
func bankEncrypt(t *testing.T, e *testenv.Env, s string) string {
	t.Helper()
	r := e.For(t).Do("GET", "/auth/oauth/public-key", nil)
	blk, _ := pem.Decode(r.Body)
	if r.Status != http.StatusOK || blk == nil {
		t.Fatalf("public key: %d %q", r.Status, r.Body)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), []byte(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

// bankToken posts a step to the bank door's token endpoint, its parameters
// in the query as the published API sends them.
func bankToken(t *testing.T, e *testenv.Env, auth string, kv ...string) map[string]any {
	t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	r := e.For(t).Do("POST", "/auth/oauth/token?"+q.Encode(), "{}", "Authorization", auth)
	if r.Status != http.StatusOK {
		t.Fatalf("bank token %v: %d %s", kv, r.Status, r.Body)
	}
	return r.Map(t)
}

func TestAnAdminsCustomerRoleAndMembershipShapeTheMembersBankSignIn(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	root, rootPassword := admin(t, b.Env, "root@example.com")
	bobPassword := webtest.Account(t, b.Env, "bob@example.com")
	ctx := context.Background()
	bob, err := b.Env.Srv.Identity.FindUser(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	webtest.EnrolTOTP(t, b.Env, "bob@example.com", bobPassword)

	// A customer, with the bank's own number.
	signIn(t, b, "/admin/customers", "root@example.com", rootPassword)
	b.Audit()
	b.Field("Number", "777001")
	b.Field("Name", "Acme LLP")
	b.Field("External ID", "ACME-1")
	b.Press("Add customer")
	if got := b.Path(); got != "/admin/customers/777001?done=customer_created" {
		t.Fatalf("after adding the customer the browser is at %q", got)
	}
	if got := b.Text("h1"); got != "Acme LLP" {
		t.Fatalf("the customer's page is titled %q", got)
	}
	b.Audit()

	// A role whose one chain is an authenticator app; a bad chain first.
	b.Open("/admin/roles")
	b.Field("Code", "DIRECTOR")
	b.Field("Name", "Director")
	b.Field("Factor chains", "TOTP + PIGEON")
	b.Press("Add role")
	if got := b.Text("#chains-error"); !strings.HasPrefix(got, "Each line is a chain") {
		t.Fatalf("the chains field's error reads %q", got)
	}
	var invalid string
	b.Run(chromedp.AttributeValue("#chains", "aria-invalid", &invalid, nil, chromedp.ByQuery))
	if invalid != "true" {
		t.Fatalf("the refused chains field is not marked invalid (%q)", invalid)
	}
	b.Audit()
	if roles, _ := b.Env.Srv.Bank.Roles(ctx); len(roles) != 0 {
		t.Fatalf("the refused form made roles %+v", roles)
	}
	b.Field("Factor chains", "totp")
	b.Press("Add role")
	if got := b.Text("[data-testid=chains]"); got != "TOTP" {
		t.Fatalf("the new role's chains read %q", got)
	}
	b.Audit()

	// Bob becomes a member under it, and gets a bank profile.
	b.Open("/admin/customers/777001")
	b.Field("User", "bob@example.com")
	selectOption(b, "#member-role", "DIRECTOR")
	b.Press("Set membership")
	if got := b.Text(".notice"); got != "The membership is saved." {
		t.Fatalf("the membership's notice reads %q", got)
	}
	b.Open("/admin/users/" + strconv.FormatInt(bob.ID, 10))
	if got := b.Text("[data-testid=membership]"); got != "Acme LLP: DIRECTOR" {
		t.Fatalf("bob's page lists the membership as %q", got)
	}
	b.Field("IIN", "900101300127") // wrong check digit
	b.Press("Save bank profile")
	if got := b.Text("#iin-error"); !strings.HasPrefix(got, "An IIN is 12 digits") {
		t.Fatalf("the IIN field's error reads %q", got)
	}
	b.Audit()
	b.Field("IIN", iin)
	b.Field("Phone", "+7 701 123 45 67")
	b.Press("Save bank profile")
	if got := b.Text(".notice"); got != "The bank profile is saved." {
		t.Fatalf("the profile's notice reads %q", got)
	}
	if p, err := b.Env.Srv.Bank.ProfileOf(ctx, bob.ID); err != nil || p.IIN != iin || p.Phone != "+77011234567" {
		t.Fatalf("bob's bank profile is %+v (%v)", p, err)
	}

	// Bob's bank sign-in offers the customer, and its role's chain.
	s1 := bankToken(t, b.Env, webBasic, "grant_type", "Password", "user_type", "customer",
		"username", bankEncrypt(t, b.Env, iin), "password", bankEncrypt(t, b.Env, bobPassword))
	if got := fmt.Sprint(s1["customers"]); got != "[map[id:777001 name:Acme LLP]]" {
		t.Fatalf("step one offers the customers %s", got)
	}
	s2 := bankToken(t, b.Env, "Bearer "+s1["access_token"].(string), "grant_type", "customer", "customer_id", "777001")
	if s2["role"] != "DIRECTOR" || s2["customer_external_id"] != "ACME-1" || fmt.Sprint(s2["possible_chains"]) != "[[TOTP]]" {
		t.Fatalf("step two: role %v, external id %v, chains %v", s2["role"], s2["customer_external_id"], s2["possible_chains"])
	}

	// Every change is in the log, by this admin.
	actor := "admin:" + strconv.FormatInt(root.ID, 10)
	for _, typ := range []string{identity.AuditAdminCustomer, identity.AuditAdminRole, identity.AuditAdminMembership, identity.AuditAdminProfile} {
		list, n, err := b.Env.Srv.Identity.AuditLog(ctx, identity.AuditFilter{Type: typ})
		if err != nil || n != 1 || list[0].Actor != actor {
			t.Errorf("%s: %d rows %+v (%v), want one by %s", typ, n, list, err, actor)
		}
	}
}

func TestEditingACustomerAndARoleIsSavedAndRaisesTheRolesVersion(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, password := admin(t, b.Env, "root@example.com")
	ctx := context.Background()
	signIn(t, b, "/admin/customers", "root@example.com", password)
	b.Field("Name", "Acme")
	b.Press("Add customer")
	list, _, err := b.Env.Srv.Bank.Customers(ctx, 10, 0)
	if err != nil || len(list) != 1 {
		t.Fatalf("customers %+v (%v)", list, err)
	}
	b.Field("Name", "Acme Holdings")
	b.Field("Branch code", "ALA-01")
	b.Press("Save customer")
	if got := b.Text(".notice"); got != "The customer is saved." {
		t.Fatalf("the notice reads %q", got)
	}
	if c, err := b.Env.Srv.Bank.Customer(ctx, list[0].ID); err != nil || c.Name != "Acme Holdings" || c.BranchCode != "ALA-01" {
		t.Fatalf("the customer is %+v (%v)", c, err)
	}
	b.Field("Name", " ")
	b.Press("Save customer")
	if got := b.Text("#name-error"); !strings.HasPrefix(got, "Enter a name") {
		t.Fatalf("an empty name's error reads %q", got)
	}
	b.Audit()

	b.Open("/admin/roles")
	b.Field("Code", "ACCOUNTANT")
	b.Field("Factor chains", "OTP_EMAIL")
	b.Press("Add role")
	b.Field("Factor chains", "TOTP\nOTP_SMS + OTP_EMAIL")
	b.Run(chromedp.Click("#device_skip", chromedp.ByQuery))
	b.Press("Save role")
	if got := b.Text("[data-testid=version]"); got != "2" {
		t.Fatalf("after the edit the role's version reads %q", got)
	}
	roles, err := b.Env.Srv.Bank.Roles(ctx)
	if err != nil || len(roles) != 1 || fmt.Sprint(roles[0].Chains) != "[[TOTP] [OTP_SMS OTP_EMAIL]]" || !roles[0].DeviceSkip {
		t.Fatalf("the role is %+v (%v)", roles, err)
	}
	b.Audit()
}

func TestABankFormWithAForgedCSRFTokenChangesNothingAndANonAdminIsRefused(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, password := admin(t, b.Env, "root@example.com")
	seen := recordStatuses(b)
	signIn(t, b, "/admin/customers", "root@example.com", password)
	b.Field("Name", "Forged Ltd")
	b.Run(chromedp.Evaluate(`document.querySelectorAll('input[name=csrf]').forEach(i => i.value = i.value.slice(0, -4) + 'AAAA')`, nil))
	b.Press("Add customer")
	if got := seen.of("/admin/customers"); got != http.StatusForbidden {
		t.Fatalf("the forged form answered %d, want 403", got)
	}
	if list, n, err := b.Env.Srv.Bank.Customers(context.Background(), 10, 0); err != nil || n != 0 {
		t.Fatalf("the forged form made customers %+v (%v)", list, err)
	}

	// A signed-in user without the admin role: 403 on the bank pages.
	other := webtest.Attach(t, b.Env, webtest.Chromium(t))
	otherSeen := recordStatuses(other)
	annPassword := webtest.Account(t, b.Env, "ann@example.com")
	signIn(t, other, "/admin/roles", "ann@example.com", annPassword)
	if got := otherSeen.of("/admin/roles"); got != http.StatusForbidden {
		t.Fatalf("/admin/roles answered a non-admin %d, want 403", got)
	}
	other.Audit()
}

func TestTheBankPagesSpeakEveryLanguage(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, password := admin(t, b.Env, "root@example.com")
	signIn(t, b, "/admin/roles", "root@example.com", password)
	for lang, want := range map[string][2]string{
		"en": {"Customer roles", "Add role"}, "ru": {"Роли клиентов", "Добавить роль"}, "uk": {"Ролі клієнтів", "Додати роль"},
	} {
		b.Open("/admin/roles?lang=" + lang)
		if got := b.Text("h1"); got != want[0] || !b.HasButton(want[1]) {
			t.Errorf("?lang=%s: h1 %q, button %q present: %v", lang, got, want[1], b.HasButton(want[1]))
		}
		b.Audit()
	}
}

func TestAnAdminRevokesOneSessionOfAUserWhoseTokenIsThenRefused(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	root, password := admin(t, b.Env, "root@example.com")
	bobPassword := webtest.Account(t, b.Env, "bob@example.com")
	api := b.Env.For(t)
	login := func() string {
		r := api.Do("POST", "/v1/auth/login", map[string]string{"username": "bob@example.com", "password": bobPassword})
		if r.Status != http.StatusOK {
			t.Fatalf("bob's login: %d %s", r.Status, r.Body)
		}
		return r.Map(t)["access_token"].(string)
	}
	first, second := login(), login()
	profile := func(token string) int {
		return api.Do("GET", "/v1/user/profile", nil, "Authorization", "Bearer "+token).Status
	}
	ctx := context.Background()
	bob, _ := b.Env.Srv.Identity.FindUser(ctx, "bob@example.com")
	sessions, err := b.Env.Srv.Identity.Sessions(ctx, bob.ID)
	if err != nil || len(sessions) != 2 {
		t.Fatalf("bob's sessions: %+v (%v)", sessions, err)
	}
	path := "/admin/users/" + strconv.FormatInt(bob.ID, 10)
	signIn(t, b, path, "root@example.com", password)
	// Revoke the first session's row (sessions are listed oldest first or
	// newest first: the row is found by its id, not its place).
	b.Run(chromedp.Click(fmt.Sprintf(`//input[@name="session"][@value=%q]/following-sibling::button`, sessions[0].ID), chromedp.BySearch),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery))
	if got := b.Text(".notice"); got != "The session is revoked." {
		t.Fatalf("the notice reads %q", got)
	}
	left, _ := b.Env.Srv.Identity.Sessions(ctx, bob.ID)
	if len(left) != 1 || left[0].ID != sessions[1].ID {
		t.Fatalf("after the revocation bob has %+v", left)
	}
	// Which token belonged to the revoked session: exactly one is refused now.
	if a, b := profile(first), profile(second); (a == http.StatusUnauthorized) == (b == http.StatusUnauthorized) || (a != http.StatusOK && b != http.StatusOK) {
		t.Fatalf("after revoking one of two sessions the tokens answer %d and %d", a, b)
	}
	list, _, err := b.Env.Srv.Identity.AuditLog(ctx, identity.AuditFilter{UserID: bob.ID, Actor: "admin:" + strconv.FormatInt(root.ID, 10)})
	if err != nil || len(list) == 0 {
		t.Fatalf("no audit row of the revocation by the admin (%v)", err)
	}
}
