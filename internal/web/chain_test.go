package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

const chainAdmin = "chain-admin-token-0123456789abcdef"

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// role is a customer role of the fixture: its code, chains and whether a
// trusted device may skip them.
type role struct {
	code   string
	chains [][]string
	skip   bool
}

// withCompanies makes email (an account of the platform API) a member of
// one customer per role, named after the role, with phone as its bank
// profile's number, through the admin API; it returns the customers' names.
func withCompanies(t *testing.T, e *testenv.Env, email string, roles ...role) []string {
	t.Helper()
	admin := []string{"Authorization", "Bearer " + chainAdmin}
	must := func(r *testenv.Response, want int) map[string]any {
		t.Helper()
		if r.Status != want {
			t.Fatalf("admin API: %d %s", r.Status, r.Body)
		}
		return r.Map(t)
	}
	must(e.Do("PUT", "/admin/v1/users/"+email+"/bank-profile", map[string]any{"iin": iinOf(email), "phone": "+77011234567"}, admin...), http.StatusOK)
	var names []string
	for _, ro := range roles {
		created := must(e.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": ro.code, "chains": ro.chains, "device_skip": ro.skip}, admin...), http.StatusCreated)
		name := "Company " + ro.code
		id := must(e.Do("POST", "/admin/v1/customers", map[string]any{"name": name}, admin...), http.StatusCreated)["id"]
		must(e.Do("PUT", fmt.Sprintf("/admin/v1/customers/%v/members/%s", id, email), map[string]any{"role_id": created["id"]}, admin...), http.StatusOK)
		names = append(names, name)
	}
	return names
}

// iinOf is a valid IIN of its own for each address (IINs are unique):
// 900101 (a birth date), 3 (the century and sex), three digits of the
// address, a 0, and the check digit (some prefixes have none: the next).
func iinOf(email string) string {
	h := 0
	for _, c := range email {
		h = (h*31 + int(c)) % 1000
	}
	for n := range 1000 {
		prefix := fmt.Sprintf("9001013%03d0", (h+n)%1000)
		for d := range 10 {
			if iin := prefix + strconv.Itoa(d); bank.ValidIIN(iin) {
				return iin
			}
		}
	}
	panic("no valid IIN")
}

func chainEnv(t *testing.T, edit ...func(*config.Config)) *webtest.Browser {
	return webtest.New(t, testenv.Options{Config: func(c *config.Config) {
		c.AdminToken = chainAdmin
		for _, f := range edit {
			f(c)
		}
	}})
}

// signIn fills the sign-in form and sends it.
func signIn(b *webtest.Browser, email, password string) {
	b.Open("/login")
	b.Field("Email", email)
	b.Field("Password", password)
	b.Press("Sign in")
}

// pick chooses a company on the picker by its visible name.
func pick(b *webtest.Browser, name string) {
	b.T().Helper()
	js := fmt.Sprintf(`(() => { const s = document.querySelector('#company'); const o = [...s.options].find(x => x.text === %q); if (!o) return false; s.value = o.value; return true; })()`, name)
	var ok bool
	b.Run(chromedp.Evaluate(js, &ok))
	if !ok {
		b.T().Fatalf("no company %q on the picker", name)
	}
	b.Press("Continue")
}

// mailedCode is the 6-digit code of the next mail to email.
func mailedCode(t *testing.T, e *testenv.Env, email string) string {
	t.Helper()
	m := e.Mail.NextTo(t, email, testenv.MailTimeout)
	c := sixDigits.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("the mail %q carries no code: %s", m.Subject, m.Text)
	}
	return c[1]
}

// audited counts the audit rows of type for email.
func audited(t *testing.T, e *testenv.Env, email, typ string) int {
	t.Helper()
	r := e.Do("GET", "/admin/v1/audit?user="+url.QueryEscape(email)+"&type="+url.QueryEscape(typ), nil, "Authorization", "Bearer "+chainAdmin)
	if r.Status != http.StatusOK {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
	events, _ := r.Map(t)["events"].([]any)
	return len(events)
}

func TestAnAccountWithTwoCompaniesPicksOneAndPassesAMailedCodeCountedByTheLockout(t *testing.T) {
	b := chainEnv(t, func(c *config.Config) { c.LockoutPairThreshold = 2 })
	const email = "olena@example.com"
	password := webtest.Account(t, b.Env, email)
	names := withCompanies(t, b.Env, email, role{code: "ACCOUNTANT", chains: [][]string{{"OTP_EMAIL"}}}, role{code: "DIRECTOR", chains: [][]string{{"OTP_SMS"}}})

	signIn(b, email, password)
	if got := b.Path(); !strings.HasPrefix(got, "/login/company") {
		t.Fatalf("an account with two companies is at %q after the password, want the picker", got)
	}
	b.Audit()
	for lang, title := range map[string]string{"ru": "Выберите компанию", "uk": "Оберіть компанію", "en": "Choose a company"} {
		b.Open("/login/company?lang=" + lang)
		if got := b.Text("h1"); got != title {
			t.Errorf("the picker in %s is titled %q, want %q", lang, got, title)
		}
	}
	pick(b, names[0])
	if got := b.Path(); !strings.HasPrefix(got, "/login/chain") {
		t.Fatalf("after the company the browser is at %q, want the chain", got)
	}
	if got := b.Text("[data-sent]"); !strings.Contains(got, "o***@example.com") {
		t.Fatalf("the chain page says %q about the code sent", got)
	}
	b.Audit()
	code := mailedCode(t, b.Env, email)

	for range 2 {
		b.Field("Code", "000000")
		b.Press("Verify")
		if got := b.Text("#code-error"); got != "This code is not valid. Try the current one." {
			t.Fatalf("a wrong mailed code says %q", got)
		}
	}
	if n := audited(t, b.Env, email, "factor.failed"); n != 2 {
		t.Fatalf("%d factor.failed rows after two wrong codes, want 2", n)
	}
	b.Field("Code", code)
	b.Press("Verify")
	if got := b.Text("#code-error"); got != "Too many failed attempts. Wait a while before trying again." {
		t.Fatalf("the right code inside the lockout's backoff says %q", got)
	}
	b.Env.Clock.Advance(time.Minute)
	b.Field("Code", code)
	b.Press("Verify")
	if got := b.Path(); got != "/account" {
		t.Fatalf("after the mailed code the browser is at %q, want the cabinet", got)
	}
	if got := b.Text("[data-testid=email]"); got != email {
		t.Fatalf("the cabinet names %q", got)
	}
}

func TestAnSMSChainThenTrustThisDeviceSkipsTheChainNextTime(t *testing.T) {
	b := chainEnv(t)
	const email = "taras@example.com"
	password := webtest.Account(t, b.Env, email)
	names := withCompanies(t, b.Env, email, role{code: "DIRECTOR", chains: [][]string{{"OTP_SMS"}, {"TOTP"}}, skip: true}, role{code: "CLERK", chains: [][]string{{"OTP_EMAIL"}}})

	signIn(b, email, password)
	pick(b, names[0])
	text := b.Env.SMS.Next(t)
	code := sixDigits.FindStringSubmatch(text.Text)
	if text.Phone != "+77011234567" || code == nil {
		t.Fatalf("the text %+v carries no code for the profile's phone", text)
	}
	if got := b.Text("[data-chains]"); got != "Code by SMS" {
		t.Fatalf("the chains offered are %q, want only the SMS (no authenticator enrolled)", got)
	}
	b.Audit()
	b.Run(chromedp.Click("#trust", chromedp.ByQuery))
	b.Field("Code", code[1])
	b.Press("Verify")
	if got := b.Path(); got != "/account" {
		t.Fatalf("after the SMS code the browser is at %q, want the cabinet", got)
	}
	b.Open("/account/sessions")
	if got := b.Text("[data-device-id]"); !strings.Contains(got, "HeadlessChrome") {
		t.Fatalf("the trusted device is listed in the cabinet as %q", got)
	}
	b.Open("/account")
	b.Press("Sign out")

	signIn(b, email, password)
	pick(b, names[0])
	if got := b.Path(); got != "/account" {
		t.Fatalf("the trusted browser is at %q, want the cabinet without the chain", got)
	}
	if n := b.Env.SMS.Len(); n != 0 {
		t.Fatalf("%d texts sent to a trusted device", n)
	}
	b.Open("/account")
	b.Press("Sign out")

	// Another browser is not trusted: the chain again.
	other := webtest.Attach(t, b.Env, webtest.Chromium(t))
	signIn(other, email, password)
	pick(other, names[0])
	if got := other.Path(); !strings.HasPrefix(got, "/login/chain") {
		t.Fatalf("another browser is at %q, want the chain", got)
	}
}

func TestARoleThatRequiresAnAuthenticatorEnrolsOneDuringSignIn(t *testing.T) {
	b := chainEnv(t)
	const email = "ivan@example.com"
	password := webtest.Account(t, b.Env, email)
	withCompanies(t, b.Env, email, role{code: "SIGNER", chains: [][]string{{"TOTP"}}})

	signIn(b, email, password) // one company: chosen at once
	if got := b.Path(); !strings.HasPrefix(got, "/login/enrol") {
		t.Fatalf("a role requiring TOTP of an account without one leads to %q, want the enrolment", got)
	}
	b.Audit()
	b.Press("Set up authenticator")
	secret := b.Text("[data-totp-secret]")
	b.Audit()
	b.Field("Code", "000000")
	b.Press("Verify")
	if got := b.Text("#code-error"); got != "This code is not valid. Try the current one." {
		t.Fatalf("a wrong first code says %q", got)
	}
	if got := b.Text("[data-totp-secret]"); got != secret {
		t.Fatalf("after a wrong code the secret shown is %q, want the same %q", got, secret)
	}
	b.Field("Code", webtest.TOTP(t, b.Env, secret))
	b.Press("Verify")
	if got := b.Text("[data-recovery-codes]"); len(strings.Fields(got)) != 10 {
		t.Fatalf("the recovery codes shown: %q", got)
	}
	b.Audit()
	b.Run(chromedp.Click(`//a[normalize-space(.)="Continue"]`, chromedp.BySearch))
	b.Run(chromedp.WaitVisible("[data-testid=email]", chromedp.ByQuery))
	if got := b.Text("[data-testid=email]"); got != email {
		t.Fatalf("after the enrolment the cabinet names %q", got)
	}
	if n := audited(t, b.Env, email, "factor.totp_enrolled"); n != 1 {
		t.Fatalf("%d factor.totp_enrolled rows, want 1", n)
	}

	// The next sign-in asks the authenticator's code in the chain.
	b.Press("Sign out")
	b.Env.Clock.Advance(30 * time.Second)
	signIn(b, email, password)
	if got := b.Path(); !strings.HasPrefix(got, "/login/chain") {
		t.Fatalf("with the authenticator enrolled the sign-in is at %q, want the chain", got)
	}
	b.Field("Code", webtest.TOTP(t, b.Env, secret))
	b.Press("Verify")
	if got := b.Path(); got != "/account" {
		t.Fatalf("after the authenticator's code the browser is at %q", got)
	}
}

func TestEveryChainPageRendersInEachLocale(t *testing.T) {
	b := chainEnv(t)
	const email = "mila@example.com"
	password := webtest.Account(t, b.Env, email)
	withCompanies(t, b.Env, email, role{code: "SIGNER", chains: [][]string{{"TOTP"}}}, role{code: "CLERK", chains: [][]string{{"OTP_EMAIL"}, {"OTP_SMS"}}})
	signIn(b, email, password)
	pick(b, "Company CLERK")
	want := map[string][2]string{"en": {"Confirm it is you", "Code by e-mail"}, "ru": {"Подтвердите, что это вы", "Код по почте"}, "uk": {"Підтвердьте, що це ви", "Код поштою"}}
	for lang, w := range want {
		b.Open("/login/chain?lang=" + lang)
		if got := b.Text("h1"); got != w[0] {
			t.Errorf("the chain page in %s is titled %q, want %q", lang, got, w[0])
		}
		if got := b.Text("[data-chains]"); !strings.Contains(got, w[1]) {
			t.Errorf("the chains in %s read %q, want %q among them", lang, got, w[1])
		}
		b.Audit()
	}
	b.Open("/login/chain?lang=en")
	b.Press("Send code by SMS")
	if got := b.Text("[data-sent]"); !strings.Contains(got, "+7") {
		t.Fatalf("after sending by SMS the page says %q", got)
	}
	b.Audit()
}
