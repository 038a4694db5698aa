package server_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Hostile bytes in fields, parameters and keys (SECURITY.md "Hostile
// bytes"): a field or parameter holding a NUL, another control character
// or bytes that are not UTF-8 is refused with 400 naming it; a look-up by
// such a key answers as unknown; neither writes anything. A NUL password
// at login is a wrong password, counted.

type hostileCase struct {
	name         string
	method, path string
	body         any
	hdr          []string
	status       int
	field        string // the field the 400 names
	audited      int    // audit rows the request adds (a counted failure)
}

// storedCounts is what a refused request must leave unchanged.
func storedCounts(t *testing.T, e *testenv.Env) (audit, users int) {
	t.Helper()
	ctx := context.Background()
	_, audit, err := e.Store.ListAudit(ctx, identity.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, users, err = e.Store.ListUsers(ctx, identity.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return audit, users
}

func TestHostileFieldsAreRefusedNamingTheFieldAndHostileKeysAreUnknown(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "ann@example.com", "ann's password 1")
		ann := bearer(mustLogin(t, e, "ann@example.com", "ann's password 1").AccessToken)
		r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "ann@example.com", "password": "ann's password 1"})
		cashier := []string{"Authorization", r.Map(t)["token"].(string)}
		admin := bearer(adminToken)
		bf := newBankUser(t, e, "dana@example.com", "bank secret 1")
		s1 := accessOf(t, bf.step1(t, "dana@example.com", "bank secret 1"))
		step1 := func(user string) string {
			q := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {bf.enc(t, user)}, "password": {bf.enc(t, "bank secret 1")}}
			return "/auth/oauth/token?" + q.Encode()
		}
		basic := func(id string) []string { return []string{"Authorization", "Basic " + b64(id+":")} }

		for _, c := range []hostileCase{
			// JSON fields: a NUL or another control character.
			{name: "NUL in the login's username", method: "POST", path: "/v1/auth/login",
				body: `{"username":"a\u0000@example.com","password":"whatever 1"}`, status: 400, field: "username"},
			{name: "NUL in a sign-up's name", method: "POST", path: "/v1/user",
				body: `{"login":"new@example.com","password":"long enough 1","name":"N\u0000"}`, status: 400, field: "name"},
			{name: "line break in a sign-up's name", method: "POST", path: "/v1/user",
				body: `{"login":"new@example.com","password":"long enough 1","name":"N\r\nBcc: x"}`, status: 400, field: "name"},
			{name: "NUL in a sign-up's login", method: "POST", path: "/v1/user",
				body: `{"login":"new\u0000@example.com","password":"long enough 1"}`, status: 400, field: "login"},
			{name: "NUL in a sign-up's password", method: "POST", path: "/v1/user",
				body: `{"login":"new@example.com","password":"long enough\u00001"}`, status: 400, field: "password"},
			{name: "NUL in a password at login is a wrong password, counted", method: "POST", path: "/v1/auth/login",
				body: `{"username":"ann@example.com","password":"ann's password 1\u0000"}`, status: 401, audited: 1},
			{name: "NUL in a restore's email", method: "POST", path: "/v1/user/password/restore",
				body: `{"email":"ann\u0000@example.com"}`, status: 400, field: "email"},
			{name: "NUL in an address name", method: "POST", path: "/v1/user/address",
				body: `{"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","name":"w\u0000"}`, hdr: ann, status: 400, field: "name"},
			{name: "NUL in the cashier's full name", method: "PATCH", path: "/api/v2/profile",
				body: `{"full_name":"Іван\u0000"}`, hdr: cashier, status: 400, field: "full_name"},
			{name: "NUL in the cashdesk's email", method: "POST", path: "/api/v2/authenticate",
				body: `{"email":"ann\u0000@example.com","password":"x"}`, status: 400, field: "email"},
			{name: "NUL in an API key's name", method: "POST", path: "/api/v2/api-keys",
				body: `{"name":"k\u0000"}`, hdr: cashier, status: 400, field: "name"},
			{name: "NUL in an admin's new user name", method: "POST", path: "/admin/v1/users",
				body: `{"email":"new@example.com","password":"long enough 1","name":"\u0000"}`, hdr: admin, status: 400, field: "name"},
			{name: "NUL in a customer's name", method: "POST", path: "/admin/v1/customers",
				body: `{"id":5,"name":"\u0000"}`, hdr: admin, status: 400, field: "name"},
			// Query parameters: raw bytes that are not UTF-8, or a NUL.
			{name: "%00 in the admin search", method: "GET", path: "/admin/v1/users?q=%00", hdr: admin, status: 400, field: "q"},
			{name: "%ff in the admin search", method: "GET", path: "/admin/v1/users?q=%ff", hdr: admin, status: 400, field: "q"},
			{name: "%ff in ?audience=", method: "POST", path: "/v1/auth/token?audience=%ff", hdr: ann, status: 400, field: "audience"},
			{name: "%00 in ?audience=", method: "POST", path: "/v1/auth/token?audience=a%00", hdr: ann, status: 400, field: "audience"},
			{name: "%ff in exists' email", method: "GET", path: "/v1/user/address/exists?email=%ff@example.com", status: 400, field: "email"},
			{name: "%00 in the audit's type", method: "GET", path: "/admin/v1/audit?type=login.%00", hdr: admin, status: 400, field: "type"},
			{name: "%ff in the audit's user", method: "GET", path: "/admin/v1/audit?user=%ff", hdr: admin, status: 400, field: "user"},
			{name: "%00 in the audit's actor", method: "GET", path: "/admin/v1/audit?actor=admin:%00", hdr: admin, status: 400, field: "actor"},
			// Look-ups by a malformed key answer as unknown.
			{name: "DELETE /admin/v1/sessions/%ff", method: "DELETE", path: "/admin/v1/sessions/%ff", hdr: admin, status: 404},
			{name: "GET /admin/v1/users/%ff", method: "GET", path: "/admin/v1/users/%ff", hdr: admin, status: 404},
			{name: "GET /admin/v1/users/ann%00@example.com", method: "GET", path: "/admin/v1/users/ann%00@example.com", hdr: admin, status: 404},
			{name: "GET /admin/v1/users/%ff/sessions", method: "GET", path: "/admin/v1/users/%ff/sessions", hdr: admin, status: 404},
			{name: "GET /admin/v1/clients/%ff", method: "GET", path: "/admin/v1/clients/%ff", hdr: admin, status: 404},
			{name: "DELETE /admin/v1/clients/%00", method: "DELETE", path: "/admin/v1/clients/%00", hdr: admin, status: 404},
			{name: "POST /admin/v1/clients/%ff/secret", method: "POST", path: "/admin/v1/clients/%ff/secret", hdr: admin, status: 404},
			{name: "DELETE /v1/user/sessions/%ff", method: "DELETE", path: "/v1/user/sessions/%ff", hdr: ann, status: 404},
			{name: "DELETE /api/v2/api-keys/%ff", method: "DELETE", path: "/api/v2/api-keys/%ff", hdr: cashier, status: 404},
			{name: "GET /v1/user/confirm/%ff", method: "GET", path: "/v1/user/confirm/%ff%00", status: 400},
			{name: "an API key of bytes that are not UTF-8", method: "GET", path: "/v1/user/profile", hdr: []string{"X-API-Key", "ghk_\xff\xfe"}, status: 401},
			// The bank door: its parameters, its Basic auth, its decrypted username.
			{name: "bank: a client id of bytes that are not UTF-8", method: "POST", path: step1("dana@example.com"), body: "{}", hdr: basic("W\xffB"), status: 401},
			{name: "bank: a client id with a NUL", method: "POST", path: step1("dana@example.com"), body: "{}", hdr: basic("WEB\x00"), status: 401},
			{name: "bank: %ff in user_type", method: "POST", path: "/auth/oauth/token?grant_type=password&user_type=%ff", body: "{}", hdr: []string{"Authorization", webBasic}, status: 400},
			{name: "bank: a username with a NUL is a wrong password", method: "POST", path: step1("dana\x00@example.com"), body: "{}", hdr: []string{"Authorization", webBasic}, status: 400, audited: 1},
			{name: "bank: a username of bytes that are not UTF-8 is a wrong password", method: "POST", path: step1("dana\xff@example.com"), body: "{}", hdr: []string{"Authorization", webBasic}, status: 400, audited: 1},
			{name: "bank: %ff in the factor", method: "POST", path: "/auth/oauth/otp?factor=%ff", hdr: bearer(s1), status: 400},
		} {
			t.Run(c.name, func(t *testing.T) {
				audit, users := storedCounts(t, e)
				r := e.For(t).Do(c.method, c.path, c.body, c.hdr...)
				wantStatus(t, c.name, r, c.status)
				if c.field != "" {
					if got := r.Map(t)["field"]; got != c.field {
						t.Fatalf("%s: the 400 names %v, want %q: %s", c.name, got, c.field, r.Body)
					}
				}
				a2, u2 := storedCounts(t, e)
				if a2 != audit+c.audited || u2 != users {
					t.Fatalf("%s: audit rows %d → %d (want +%d), users %d → %d", c.name, audit, a2, c.audited, users, u2)
				}
			})
		}
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
