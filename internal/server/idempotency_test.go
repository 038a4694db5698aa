package server_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const replayed = "Idempotent-Replayed"

func key(k string) []string { return []string{"Idempotency-Key", k} }

// outboxCount counts the mails of kind queued to an address.
func outboxCount(t *testing.T, st *sqlstore.Store, to, kind string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND kind = $2`, to, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lostAck loses the answer of a committed registration, once armed: the
// transaction that created the user commits, and then its caller sees the
// connection fail, as when PostgreSQL dies between applying a commit and
// acknowledging it.
type lostAck struct {
	sqlstore.Backend
	armed *atomic.Bool
	lose  func() error
}

type notingTx struct {
	sqlstore.Backend
	createdUser *bool
}

func (n notingTx) CreateUser(ctx context.Context, u *identity.User) error {
	*n.createdUser = true
	return n.Backend.CreateUser(ctx, u)
}

func (l lostAck) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	created := false
	err := l.Backend.Tx(ctx, func(tx sqlstore.Backend) error { return fn(notingTx{tx, &created}) })
	if err == nil && created && l.armed.CompareAndSwap(true, false) {
		return l.lose()
	}
	return err
}

func TestARegistrationCommittedButAnswered503IsRetriedIntoTheOriginal201(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		armed := &atomic.Bool{}
		var proxy *testenv.Proxy
		var raw *sqlstore.Store
		edit := func(*config.Config) {}
		lose := func() error { return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET} }
		if b == testenv.Postgres {
			edit = viaProxy(&proxy, t)
			// The real thing after the commit: the connection dies, so the
			// key's release fails too and the retry meets what is stored.
			lose = func() error { proxy.Cut(); return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET} }
		}
		e := newEnv(t, b, edit, func(o *testenv.Options) {
			o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { raw = s.(*sqlstore.Store); return lostAck{s, armed, lose} }
		})
		body := map[string]string{"login": "kit@example.com", "password": "kit's password"}

		armed.Store(true)
		assert503(t, "the registration whose answer was lost", e.Do("POST", "/v1/user", body, key("signup-kit-1")...))
		if proxy != nil {
			proxy.Restore()
			raw.DB().SetMaxIdleConns(0) // drop the connections cut with the proxy (drainPool)
			raw.DB().SetMaxIdleConns(10)
		}
		r := e.Do("POST", "/v1/user", body, key("signup-kit-1")...)
		if r.Status != 201 || r.Header.Get(replayed) != "true" {
			t.Fatalf("the retry with the same key: %d %s (replayed %q), want the original 201", r.Status, r.Body, r.Header.Get(replayed))
		}
		u := e.Do("GET", "/admin/v1/users/kit@example.com", nil, bearer(adminToken)...).Map(t)
		if r.Map(t)["id"] != u["uuid"] {
			t.Fatalf("the replayed id %v is not the account's %v", r.Map(t)["id"], u["uuid"])
		}
		if n := outboxCount(t, raw, "kit@example.com", "confirm_email"); n != 1 {
			t.Fatalf("%d confirmation mails, want the one of the committed registration", n)
		}
		// Without a key the retry runs again, into the fault the key cures.
		if r := e.Do("POST", "/v1/user", body); r.Status != 409 {
			t.Fatalf("a retry without a key: %d %s", r.Status, r.Body)
		}
	})
}

// gateHasher holds the first hash until released, and says when it began.
type gateHasher struct {
	identity.PasswordHasher
	first   atomic.Bool
	began   chan struct{}
	release chan struct{}
}

func (g *gateHasher) Hash(ctx context.Context, pw string) (string, error) {
	if g.first.CompareAndSwap(false, true) {
		close(g.began)
		<-g.release
	}
	return g.PasswordHasher.Hash(ctx, pw)
}

func TestTwoConcurrentRequestsWithOneKeyRunOnce(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
		if err != nil {
			t.Fatal(err)
		}
		gate := &gateHasher{PasswordHasher: h, began: make(chan struct{}), release: make(chan struct{})}
		e := newEnv(t, b, nil, func(o *testenv.Options) { o.Hasher = gate })
		body := map[string]string{"login": "lu@example.com", "password": "lu's password"}

		first := make(chan *testenv.Response, 1)
		go func() { first <- e.For(t).DoRaw("POST", "/v1/user", body, key("lu-1")...) }()
		<-gate.began // the first request holds the key, hashing
		r := e.Do("POST", "/v1/user", body, key("lu-1")...)
		if r.Status != 409 || r.Map(t)["error"] != "idempotency_key_in_use" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("while the first runs: %d %s, want 409 idempotency_key_in_use with Retry-After", r.Status, r.Body)
		}
		close(gate.release)
		if r := <-first; r.Status != 201 {
			t.Fatalf("the first: %d %s", r.Status, r.Body)
		}
		if r := e.Do("POST", "/v1/user", body, key("lu-1")...); r.Status != 201 || r.Header.Get(replayed) != "true" {
			t.Fatalf("after it: %d %s, want its 201 replayed", r.Status, r.Body)
		}
		if n := outboxCount(t, e.Store.(*sqlstore.Store), "lu@example.com", "confirm_email"); n != 1 {
			t.Fatalf("%d confirmation mails", n)
		}
	})
}

func TestTheListedEndpointsReplayTheirAnswerAndRefuseAKeyReused(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		st := e.Store.(*sqlstore.Store)
		signUp(t, e, "max@example.com", "max's password")
		p := mustLogin(t, e, "max@example.com", "max's password")
		e.Clock.Advance(2 * time.Minute) // past the resend interval of the sign-up's mail

		// Restore and resend: the retry gets the answer, not the 429 of the
		// resend interval, and no second mail; known and unknown addresses alike.
		for _, path := range []string{"/v1/user/password/restore", "/v1/user/resendEmail"} {
			for _, email := range []string{"max@example.com", "nobody@example.com"} {
				body := map[string]string{"email": email}
				first := e.Do("POST", path, body, key("k-"+strings.ReplaceAll(email, "@", "."))...)
				again := e.Do("POST", path, body, key("k-"+strings.ReplaceAll(email, "@", "."))...)
				if first.Status != 200 || again.Status != 200 || string(again.Body) != string(first.Body) || again.Header.Get(replayed) != "true" {
					t.Fatalf("%s %s: %d %s then %d %s", path, email, first.Status, first.Body, again.Status, again.Body)
				}
			}
		}
		// One each from restore and from resendEmail (a reset is pending, so
		// resend mails the recovery code again: docs/platform.md); none
		// from their replays.
		if n := outboxCount(t, st, "max@example.com", "reset_password"); n != 2 {
			t.Fatalf("%d reset mails, want 2", n)
		}

		// API keys: the replay carries the same secret, and one key exists.
		a := bearer(p.AccessToken)
		k1 := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, append(a, key("till-1")...)...)
		k2 := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, append(a, key("till-1")...)...)
		if k1.Status != 201 || k2.Status != 201 || string(k1.Body) != string(k2.Body) || k2.Header.Get(replayed) != "true" {
			t.Fatalf("API key: %d %s then %d %s", k1.Status, k1.Body, k2.Status, k2.Body)
		}
		if keys := e.Do("GET", "/api/v2/api-keys", nil, a...).Map(t)["keys"].([]any); len(keys) != 1 {
			t.Fatalf("%d keys after a replayed creation", len(keys))
		}
		if r := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "another"}, append(a, key("till-1")...)...); r.Status != 422 || r.Map(t)["error"] != "idempotency_key_reused" {
			t.Fatalf("the key with another body: %d %s, want 422", r.Status, r.Body)
		}

		// Login and refresh ignore the header: a replayed pair would hand a
		// second copy of live credentials to whoever repeats the request.
		l1, l2 := loginAs(e, "max@example.com", "max's password", key("login-1")...), loginAs(e, "max@example.com", "max's password", key("login-1")...)
		if l1.Status != 200 || l2.Status != 200 || l1.Map(t)["refresh_token"] == l2.Map(t)["refresh_token"] || l2.Header.Get(replayed) != "" {
			t.Fatalf("login with a key: %d %s then %d %s", l1.Status, l1.Body, l2.Status, l2.Body)
		}
		if r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}, key("refresh-1")...); r.Status != 200 || r.Header.Get(replayed) != "" {
			t.Fatalf("refresh with a key: %d %s", r.Status, r.Body)
		}
	})
}

func TestAMalformedIdempotencyKeyIsRefusedAndChangesNothing(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	for _, k := range []string{"", "has space", "ключ", strings.Repeat("k", 256)} {
		r := e.Do("POST", "/v1/user", map[string]string{"login": "nil@example.com", "password": "nil's password"}, key(k)...)
		if r.Status != 400 || r.Map(t)["error"] != "invalid_idempotency_key" || r.Map(t)["field"] != "Idempotency-Key" {
			t.Fatalf("key %q: %d %s", k, r.Status, r.Body)
		}
	}
	req, _ := http.NewRequest("POST", e.URL+"/v1/user", strings.NewReader(`{"login":"nil@example.com","password":"nil's password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Idempotency-Key", "one")
	req.Header.Add("Idempotency-Key", "two")
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("two keys: %d", res.StatusCode)
	}
	if r := e.Do("GET", "/v1/user/address/exists?email="+url.QueryEscape("nil@example.com"), nil); r.Map(t)["exist"] != false {
		t.Fatal("a refused request made an account")
	}
}

func TestTheBankOTPIsSentOnceForOneKey(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		bk := newBankUser(t, e, "otp@example.com", "otp's password")
		s2 := bk.toStep2(t, "otp@example.com", "otp's password")
		send := func() *testenv.Response {
			return e.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, append(bearer(s2), key("otp-1")...)...)
		}
		first, again := send(), send()
		if first.Status != 200 || again.Status != 200 || string(first.Body) != string(again.Body) || again.Header.Get(replayed) != "true" {
			t.Fatalf("OTP: %d %s then %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		e.SMS.Next(t)
		if n := e.SMS.Len(); n != 0 {
			t.Fatalf("%d more texts sent for one key", n)
		}
		// Another step session of the same user is another caller.
		other := bk.toStep2(t, "otp@example.com", "otp's password")
		if r := e.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, append(bearer(other), key("otp-1")...)...); r.Status != 200 || r.Header.Get(replayed) != "" {
			t.Fatalf("another session with the same key: %d %s", r.Status, r.Body)
		}
	})
}
