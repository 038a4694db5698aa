package server_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// same fails unless two answers are alike in status, body and header names.
func same(t *testing.T, what string, a, b *testenv.Response) {
	t.Helper()
	if a.Status != b.Status || !bytes.Equal(a.Body, b.Body) {
		t.Fatalf("%s: %d %s vs %d %s", what, a.Status, a.Body, b.Status, b.Body)
	}
	names := func(r *testenv.Response) []string {
		var out []string
		for k := range r.Header {
			if k != "Date" && k != "Content-Length" {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(names(a), names(b)) {
		t.Fatalf("%s: headers %v vs %v", what, names(a), names(b))
	}
}

func TestKnownAndUnknownAccountsGetTheSameAnswerAndTheSameWork(t *testing.T) {
	h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingHasher{PasswordHasher: h}
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.MailResendInterval = 0 },
		func(o *testenv.Options) { o.Hasher = counter })
	signUp(t, e, "known@example.com", "known password")
	if r := e.Do("POST", "/v1/user", map[string]string{"login": "pending@example.com", "password": "pending password"}); r.Status != 201 {
		t.Fatal(r.Status)
	}
	e.Mail.Next(t, testenv.MailTimeout)

	work := func(f func() *testenv.Response) (*testenv.Response, int64) {
		before := counter.verifies.Load() + counter.hashes.Load()
		r := f()
		return r, counter.verifies.Load() + counter.hashes.Load() - before
	}
	login := func(email string) func() *testenv.Response {
		return func() *testenv.Response { return loginAs(e, email, "a wrong password") }
	}
	post := func(path, email string) func() *testenv.Response {
		return func() *testenv.Response { return e.Do("POST", path, map[string]string{"email": email}) }
	}
	cases := []struct {
		name           string
		known, unknown func() *testenv.Response
	}{
		{"login", login("known@example.com"), login("nobody@example.com")},
		{"login, case and spaces", login("  Known@Example.com "), login("  Nobody@Example.com ")},
		{"restore", post("/v1/user/password/restore", "known@example.com"), post("/v1/user/password/restore", "nobody@example.com")},
		{"resend, unconfirmed", post("/v1/user/resendEmail", "pending@example.com"), post("/v1/user/resendEmail", "nobody@example.com")},
		{"resend, confirmed", post("/v1/user/resendEmail", "known@example.com"), post("/v1/user/resendEmail", "nobody@example.com")},
	}
	for _, c := range cases {
		a, wa := work(c.known)
		b, wb := work(c.unknown)
		if strings.Contains(string(a.Body), "known@") { // restore and resend echo the address
			b.Body = bytes.ReplaceAll(b.Body, []byte("nobody@"), []byte("known@"))
		}
		if strings.Contains(string(a.Body), "pending@") {
			b.Body = bytes.ReplaceAll(b.Body, []byte("nobody@"), []byte("pending@"))
		}
		same(t, c.name, a, b)
		if wa != wb {
			t.Fatalf("%s: %d hashes for a known account, %d for an unknown one", c.name, wa, wb)
		}
		if c.name == "login" && wa != 1 {
			t.Fatalf("login: %d hashes, want 1 each (a dummy hash for the unknown)", wa)
		}
	}
}

func TestDuplicateRegistrationAndExistsAnswerByDesignButAreLimited(t *testing.T) {
	e := newEnv(t, testenv.SQLite, limited("register=100/2/0,exists=100/2/0"))
	signUp(t, e, "taken@example.com", "taken password")
	// The published API demands these answers; the limits are what protects them.
	if r := e.Do("POST", "/v1/user", map[string]string{"login": "taken@example.com", "password": "another password"}, from("192.0.2.1", "x")...); r.Status != 409 {
		t.Fatalf("duplicate: %d", r.Status)
	}
	e.Do("POST", "/v1/user", map[string]string{"login": "taken@example.com", "password": "another password"}, from("192.0.2.2", "x")...)
	assert429(t, e.Do("POST", "/v1/user", map[string]string{"login": "taken@example.com", "password": "another password"}, from("192.0.2.3", "x")...))
	for i, ip := range []string{"192.0.2.4", "192.0.2.5"} {
		if r := e.Do("GET", "/v1/user/address/exists?email=taken@example.com", nil, from(ip, "x")...); r.Map(t)["exist"] != true {
			t.Fatalf("exists %d: %s", i, r.Body)
		}
	}
	assert429(t, e.Do("GET", "/v1/user/address/exists?email=taken@example.com", nil, from("192.0.2.6", "x")...))
}

func TestBankAndCashdeskAnswerKnownAndUnknownUsersAlikeWithTheSameWork(t *testing.T) {
	h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingHasher{PasswordHasher: h}
	// With the bank door kept to accounts with a bank profile: an account
	// without one must then answer as a stranger (by default it signs in,
	// docs/bank.md).
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.BankRequireProfile = true }, func(o *testenv.Options) { o.Hasher = counter })
	b := newBankUser(t, e, "known@example.com", "known password")
	signUp(t, e, "platform-only@example.com", "platform password") // an account, but no bank user

	work := func(f func() *testenv.Response) (*testenv.Response, int64) {
		before := counter.verifies.Load() + counter.hashes.Load()
		r := f()
		return r, counter.verifies.Load() + counter.hashes.Load() - before
	}
	bank := func(username, pw string) func() *testenv.Response {
		return func() *testenv.Response { return b.step1(t, username, pw) }
	}
	cashdesk := func(email string) func() *testenv.Response {
		return func() *testenv.Response {
			return e.Do("POST", "/api/v2/authenticate", map[string]string{"email": email, "password": "a wrong password"})
		}
	}
	undecryptable := func() *testenv.Response {
		return e.Do("POST", "/auth/oauth/token?grant_type=password&user_type=customer&username=AAAA&password=AAAA", "{}", "Authorization", webBasic)
	}
	cases := []struct {
		name           string
		known, unknown func() *testenv.Response
	}{
		{"bank step 1, e-mail", bank("known@example.com", "a wrong password"), bank("nobody@example.com", "a wrong password")},
		{"bank step 1, IIN", bank(iinFor("known@example.com"), "a wrong password"), bank(iinFor("nobody@example.com"), "a wrong password")},
		{"bank step 1, no bank user (right password)", bank("platform-only@example.com", "platform password"), bank("nobody@example.com", "a wrong password")},
		{"bank step 1, undecryptable", bank("known@example.com", "a wrong password"), undecryptable},
		{"cashdesk authenticate", cashdesk("known@example.com"), cashdesk("nobody@example.com")},
	}
	for _, c := range cases {
		a, wa := work(c.known)
		u, wu := work(c.unknown)
		same(t, c.name, a, u)
		if wa != wu || wa != 1 {
			t.Fatalf("%s: %d hashes for a known user, %d for an unknown one (want 1 each)", c.name, wa, wu)
		}
	}
}
