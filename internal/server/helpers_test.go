package server_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const adminToken = "test-admin-token-0123456789abcdef"

type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// from makes a request look as if it came, through the trusted proxy at
// 127.0.0.1, from ip with user agent ua.
func from(ip, ua string, more ...string) []string {
	return append([]string{"X-Forwarded-For", ip, "User-Agent", ua}, more...)
}

// newEnv starts a Gatehouse that believes X-Forwarded-For from the test
// client (127.0.0.1) and has an admin token, then applies edit.
func newEnv(t testing.TB, b testenv.Backend, edit func(*config.Config), opts ...func(*testenv.Options)) *testenv.Env {
	t.Helper()
	o := testenv.Options{Backend: b, Config: func(c *config.Config) {
		c.TrustedProxies = "127.0.0.1/32"
		c.AdminToken = adminToken
		if edit != nil {
			edit(c)
		}
	}}
	for _, f := range opts {
		f(&o)
	}
	return testenv.New(t, o)
}

// signUp registers and confirms email through the platform door.
func signUp(t testing.TB, e *testenv.Env, email, password string, hdr ...string) {
	t.Helper()
	if r := e.Do("POST", "/v1/user", map[string]string{"login": email, "password": password}, hdr...); r.Status != 201 {
		t.Fatalf("register %s: %d %s", email, r.Status, r.Body)
	}
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	if r := e.Do("GET", "/v1/user/confirm/"+code, nil, hdr...); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
}

func loginAs(e *testenv.Env, email, password string, hdr ...string) *testenv.Response {
	return e.Do("POST", "/v1/auth/login", map[string]string{"username": email, "password": password}, hdr...)
}

func mustLogin(t testing.TB, e *testenv.Env, email, password string, hdr ...string) pair {
	t.Helper()
	r := loginAs(e, email, password, hdr...)
	if r.Status != 200 {
		t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var p pair
	r.JSON(t, &p)
	return p
}

// countingHasher counts the hashing work a request causes.
type countingHasher struct {
	identity.PasswordHasher
	verifies, hashes atomic.Int64
}

func (c *countingHasher) Verify(ctx context.Context, hash, pw string) (bool, bool, error) {
	c.verifies.Add(1)
	return c.PasswordHasher.Verify(ctx, hash, pw)
}

func (c *countingHasher) Hash(ctx context.Context, pw string) (string, error) {
	c.hashes.Add(1)
	return c.PasswordHasher.Hash(ctx, pw)
}

// auditTypes lists the audit log of the user (or everyone, ref "") as
// types, oldest first, through the admin API.
func auditEvents(t *testing.T, e *testenv.Env, query string) []map[string]any {
	t.Helper()
	r := e.Do("GET", "/admin/v1/audit?limit=500"+query, nil, bearer(adminToken)...)
	if r.Status != 200 {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
	var out struct {
		Events []map[string]any `json:"events"`
	}
	r.JSON(t, &out)
	for i, j := 0, len(out.Events)-1; i < j; i, j = i+1, j-1 {
		out.Events[i], out.Events[j] = out.Events[j], out.Events[i]
	}
	return out.Events
}

func types(events []map[string]any) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev["type"].(string)
	}
	return out
}

func testenvRequire() bool { return os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" }
