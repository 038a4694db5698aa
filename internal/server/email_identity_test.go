package server_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The spellings of the issue: a precomposed é and e + U+0301, ü and
// u + U+0308, full-width letters, upper case, a Unicode domain and its
// A-label.
const (
	josePrecomposed = "josé.n@example.com"
	joseCombining   = "jose\u0301.n@example.com"
	jurgen          = "jürgen.n@example.com"
	jurgenCombining = "ju\u0308rgen.n@example.com"
	annUnicode      = "anna@bücher.example"
	annALabel       = "anna@xn--bcher-kva.example"
)

func TestEverySpellingOfAnAddressIsOneAccountOnEveryDoor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, josePrecomposed, "josé's password")
		signUp(t, e, annUnicode, "anna's password")

		for _, again := range []string{joseCombining, "JOSÉ.N@EXAMPLE.COM", "ｊｏｓé.n@example.com", " Jose\u0301.N@Example.com ", annALabel, "ANNA@BÜCHER.example"} {
			r := e.Do("POST", "/v1/user", map[string]string{"login": again, "password": "another password"})
			if r.Status != 409 || r.Map(t)["error"] != "login_taken" {
				t.Fatalf("sign-up as %q: %d %s; want 409 login_taken", again, r.Status, r.Body)
			}
			if r := e.Do("GET", "/v1/user/address/exists?email="+url.QueryEscape(again), nil); r.Status != 200 || r.Map(t)["exist"] != true {
				t.Fatalf("exists %q: %d %s", again, r.Status, r.Body)
			}
		}
		e.Mail.None(t) // no refused sign-up mailed anyone

		mustLogin(t, e, joseCombining, "josé's password")
		mustLogin(t, e, "JOSE\u0301.N@EXAMPLE.COM", "josé's password")
		mustLogin(t, e, annALabel, "anna's password")
		if r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": joseCombining, "password": "josé's password"}); r.Status != 200 {
			t.Fatalf("cashdesk authenticate by another spelling: %d %s", r.Status, r.Body)
		}

		// Restore by another spelling mails the stored one.
		r := e.Do("POST", "/v1/user/password/restore", map[string]string{"email": joseCombining})
		if r.Status != 200 || r.Map(t)["email"] != josePrecomposed {
			t.Fatalf("restore: %d %s", r.Status, r.Body)
		}
		if m := e.Mail.Next(t, testenv.MailTimeout); m.To != josePrecomposed {
			t.Fatalf("the reset mail went to %q, want the stored %q", m.To, josePrecomposed)
		}
		// One resend interval per address, whatever its spelling.
		if r := e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "JOSÉ.n@example.com"}); r.Status != 429 {
			t.Fatalf("restore by a third spelling inside the interval: %d %s; want 429", r.Status, r.Body)
		}

		for _, ref := range []string{joseCombining, "JOSÉ.N@example.com"} {
			r := e.Do("GET", "/admin/v1/users/"+url.PathEscape(ref), nil, bearer(adminToken)...)
			if r.Status != 200 || r.Map(t)["email"] != josePrecomposed {
				t.Fatalf("admin look-up of %q: %d %s", ref, r.Status, r.Body)
			}
		}
		r = e.Do("POST", "/admin/v1/users", map[string]any{"email": joseCombining, "password": "an operator's password"}, bearer(adminToken)...)
		if r.Status != 409 {
			t.Fatalf("admin create of another spelling: %d %s", r.Status, r.Body)
		}
	})
}

func TestTheBankDoorSignsInEverySpellingOfAnAddress(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		bank := newBankUser(t, e, jurgen, "jürgen's password")
		if r := bank.step1(t, jurgenCombining, "jürgen's password"); r.Status != 200 {
			t.Fatalf("bank step 1 as %q: %d %s", jurgenCombining, r.Status, r.Body)
		}
		if r := loginAs(e, "JU\u0308RGEN.N@example.com", "jürgen's password"); r.Status != 200 {
			t.Fatalf("platform login: %d %s", r.Status, r.Body)
		}
	})
}

func TestEverySpellingCountsTowardOneLockout(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, josePrecomposed, "josé's password")
		spellings := []string{josePrecomposed, joseCombining, "JOSÉ.N@example.com", "ｊｏｓé.n@example.com", " Jose\u0301.n@EXAMPLE.com"}
		for _, s := range spellings { // five failures: the pair threshold
			if r := loginAs(e, s, "a wrong password", from("198.51.100.7", "ua")...); r.Status != 401 {
				t.Fatalf("wrong password as %q: %d %s", s, r.Status, r.Body)
			}
		}
		r := loginAs(e, "jose\u0301.N@example.com", "josé's password", from("198.51.100.7", "ua")...)
		if r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("after five failures in five spellings: %d %s; want 429 with Retry-After", r.Status, r.Body)
		}
	})
}

func TestInvisibleCharactersAndOverlongAddressesAreRefusedAndChangeNothing(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		bad := map[string]string{
			"zero-width space":      "an\u200bn@example.com",
			"zero-width joiner":     "ann\u200d@example.com",
			"zero-width in domain":  "ann@exa\u200bmple.com",
			"bidi override":         "\u202eann@example.com",
			"bidi mark in domain":   "ann@example\u200f.com",
			"65-octet local part":   strings.Repeat("a", 65) + "@example.com",
			"255-octet address":     "a@" + strings.Repeat("b", 61) + "." + strings.Repeat("c", 61) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 60) + ".example",
			"PRECIS-refused letter": "\ufb01le@example.com",
		}
		for name, addr := range bad {
			r := e.Do("POST", "/v1/user", map[string]string{"login": addr, "password": "a good password"})
			if m := r.Map(t); r.Status != 400 || m["error"] != "invalid_email" || m["field"] != "login" {
				t.Fatalf("%s: sign-up %d %s; want 400 invalid_email naming login", name, r.Status, r.Body)
			}
			r = e.Do("POST", "/admin/v1/users", map[string]any{"email": addr, "password": "a good password"}, bearer(adminToken)...)
			if m := r.Map(t); r.Status != 400 || m["error"] != "invalid_email" || m["field"] != "email" {
				t.Fatalf("%s: admin create %d %s; want 400 invalid_email naming email", name, r.Status, r.Body)
			}
		}
		if r := e.Do("GET", "/admin/v1/users", nil, bearer(adminToken)...); r.Map(t)["total"] != float64(0) {
			t.Fatalf("refused sign-ups left accounts: %s", r.Body)
		}
		e.Mail.None(t)
		// 64 octets is the limit, not over it.
		ok := strings.Repeat("a", 64) + "@example.com"
		if r := e.Do("POST", "/v1/user", map[string]string{"login": ok, "password": "a good password"}); r.Status != 201 {
			t.Fatalf("a 64-octet local part: %d %s", r.Status, r.Body)
		}
	})
}

func TestAnAccountStoredBeforeTheKeyStillSignsInAndRecovers(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		hash, err := e.Srv.Identity.Hasher.Hash(context.Background(), "an old password")
		if err != nil {
			t.Fatal(err)
		}
		// Refused for a new account today, accepted by an older release.
		old := strings.Repeat("o", 65) + "@example.com"
		now := e.Clock.Now()
		u := identity.User{Email: old, PasswordHash: hash, Locale: "en", Source: "license", EmailConfirmed: &now, CreatedAt: now, UpdatedAt: now}
		if err := e.Store.CreateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
		mustLogin(t, e, strings.ToUpper(old[:3])+old[3:], "an old password")
		if r := e.Do("POST", "/v1/user/password/restore", map[string]string{"email": old}); r.Status != 200 {
			t.Fatalf("restore of an old address: %d %s", r.Status, r.Body)
		}
		if m := e.Mail.Next(t, testenv.MailTimeout); m.To != old {
			t.Fatalf("reset mail to %q", m.To)
		}
		if r := e.Do("POST", "/v1/user", map[string]string{"login": old, "password": "a new password"}); r.Status != 400 {
			t.Fatalf("sign-up of an old-style address: %d %s; want 400", r.Status, r.Body)
		}
	})
}

func TestRenameByAnOperatorTellsTheOldAddress(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	signUp(t, e, josePrecomposed, "josé's password")
	u, err := e.Srv.Identity.FindUser(context.Background(), joseCombining)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Srv.Identity.RenameUser(context.Background(), u.ID, "jose.n@bücher.example", false); err != nil {
		t.Fatal(err)
	}
	m := e.Mail.Next(t, testenv.MailTimeout)
	if m.To != josePrecomposed || !strings.Contains(m.Text, "jose.n@bücher.example") {
		t.Fatalf("rename mail to %q:\n%s", m.To, m.Text)
	}
	if r := loginAs(e, "jose.n@xn--bcher-kva.example", "josé's password"); r.Status != 403 || r.Map(t)["error"] != "email_not_confirmed" {
		t.Fatalf("login after a rename to an unproven mailbox: %d %s", r.Status, r.Body)
	}
	if got := types(auditEvents(t, e, "&type=admin.")); !slices.Contains(got, "admin.user_renamed") {
		t.Fatalf("audit: %v", got)
	}
}
