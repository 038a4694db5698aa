package server_test

import (
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// saturatedHasher is a countingHasher whose Refusal answer the test sets,
// standing for a hash pool whose expected wait is over its budget (the
// pool's own tests check that Refusal says so).
type saturatedHasher struct {
	*countingHasher
	full atomic.Bool
}

func (s *saturatedHasher) Refusal() error {
	if s.full.Load() {
		return core.ErrOverloaded
	}
	return nil
}

// TestSignInsAreShedBeforeAnyWorkWhenTheHasherIsFull: while the hash pool
// is full, a sign-in on every door is answered 503 with Retry-After before
// any hashing, audit row or (bank) decryption and replay record — so under
// a flood refusals stay cheap — and the very same bank request succeeds
// once the pool has room again.
func TestSignInsAreShedBeforeAnyWorkWhenTheHasherIsFull(t *testing.T) {
	h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	sat := &saturatedHasher{countingHasher: &countingHasher{PasswordHasher: h}}
	e := newEnv(t, testenv.SQLite, nil, func(o *testenv.Options) { o.Hasher = sat })
	b := newBankUser(t, e, "full@example.com", "full password")
	auditBefore := len(auditEvents(t, e, ""))
	workBefore := sat.verifies.Load() + sat.hashes.Load()

	q := url.Values{"grant_type": {"password"}, "user_type": {"customer"},
		"username": {b.enc(t, "full@example.com")}, "password": {b.enc(t, "full password")}}
	bankStep1 := func() *testenv.Response {
		return e.Do("POST", "/auth/oauth/token?"+q.Encode(), "{}", "Authorization", webBasic)
	}
	doors := map[string]func() *testenv.Response{
		"platform login": func() *testenv.Response { return loginAs(e, "full@example.com", "full password") },
		"cashdesk authenticate": func() *testenv.Response {
			return e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "full@example.com", "password": "full password"})
		},
		"bank step 1": bankStep1,
	}
	sat.full.Store(true)
	for name, call := range doors {
		r := call()
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%s with the pool full: %d (Retry-After %q) %s; want 503 with Retry-After", name, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if n := sat.verifies.Load() + sat.hashes.Load() - workBefore; n != 0 {
		t.Fatalf("%d hashes asked for while the pool was full; want none", n)
	}
	if n := len(auditEvents(t, e, "")); n != auditBefore {
		t.Fatalf("audit log grew from %d to %d rows by refused sign-ins", auditBefore, n)
	}

	sat.full.Store(false)
	if r := bankStep1(); r.Status != 200 { // the same ciphertexts: not a replay
		t.Fatalf("bank step 1 resent after the pool freed: %d %s", r.Status, r.Body)
	}
	mustLogin(t, e, "full@example.com", "full password")
}
