package cashdesk_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestEveryRefusalIsAJSONErrorWithTheRightStatus(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	a := authenticate(t, e, "ivan@example.com", "cashier secret 1")
	tok := auth(a)
	creds := map[string]string{"email": "ivan@example.com", "password": "cashier secret 1"}
	with := func(h ...string) []string { return append(append([]string{}, tok...), h...) }

	cases := []struct {
		name, method, path string
		body               any
		hdr                []string
		status             int
		code               string
	}{
		// Seed 001's headers (docs/cashdesk.md: 415 and 406, each a JSON error).
		{"a form body", "POST", "/api/v2/authenticate", "email=a", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"text/plain", "POST", "/api/v2/authenticate", `{"email":"a"}`, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"a +json type", "POST", "/api/v2/authenticate", creds, []string{"Content-Type", "application/merge-patch+json"}, 415, "unsupported_media_type"},
		{"Accept: text/html", "POST", "/api/v2/authenticate", creds, []string{"Accept", "text/html"}, 406, "not_acceptable"},
		{"Accept: application/xml", "POST", "/api/v2/authenticate", creds, []string{"Accept", "application/xml"}, 406, "not_acceptable"},
		{"Accept that refuses JSON by q=0", "POST", "/api/v2/authenticate", creds, []string{"Accept", "application/json;q=0, */*"}, 406, "not_acceptable"},
		{"406 on a protected endpoint too", "GET", "/api/v2/profile", nil, with("Accept", "image/png"), 406, "not_acceptable"},
		// Credentials.
		{"a wrong password", "POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com", "password": "wrong"}, nil, 401, "invalid_credentials"},
		{"an unknown user", "POST", "/api/v2/authenticate", map[string]string{"email": "who@example.com", "password": "wrong"}, nil, 401, "invalid_credentials"},
		{"no password", "POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com"}, nil, 400, "missing_field"},
		{"malformed JSON", "POST", "/api/v2/authenticate", `{"email":`, nil, 400, "invalid_json"},
		{"a number for the password", "POST", "/api/v2/authenticate", `{"email":"ivan@example.com","password":1}`, nil, 400, "invalid_type"},
		{"no token", "GET", "/api/v2/profile", nil, nil, 401, "unauthorized"},
		{"a forged token", "GET", "/api/v2/profile", nil, []string{"Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}, 401, "invalid_token"},
		{"an unknown API key", "GET", "/api/v2/profile", nil, []string{"X-API-Key", "ghk_" + "A23456789012345678901234567890123456789012"}, 401, "invalid_token"},
		// Tax ids.
		{"an EDRPOU with a wrong check digit", "PATCH", "/api/v2/profile", map[string]string{"edrpou": "14360571"}, tok, 400, "invalid_edrpou"},
		{"an EDRPOU of 7 digits", "PATCH", "/api/v2/profile", map[string]string{"edrpou": "1436057"}, tok, 400, "invalid_edrpou"},
		{"a DRFO with a wrong check digit", "PATCH", "/api/v2/profile", map[string]string{"drfo": "3184710692"}, tok, 400, "invalid_drfo"},
		{"a DRFO with letters", "PATCH", "/api/v2/profile", map[string]string{"drfo": "АБ12345678"}, tok, 400, "invalid_drfo"},
		{"a full name over two lines", "PATCH", "/api/v2/profile", map[string]string{"full_name": "a\nb"}, tok, 400, "invalid_text"},
		// Certificates.
		{"an expired certificate", "PUT", "/api/v2/profile/certificate", certtest.Load("expired.pem"), with("Content-Type", "application/x-pem-file"), 400, "certificate_expired"},
		{"a malformed certificate", "PUT", "/api/v2/profile/certificate", []byte("not a certificate"), with("Content-Type", "application/pkix-cert"), 400, "invalid_certificate"},
		{"bad base64 in JSON", "PUT", "/api/v2/profile/certificate", map[string]string{"certificate": "%%%"}, tok, 400, "invalid_certificate"},
		{"a certificate as text/plain", "PUT", "/api/v2/profile/certificate", certtest.Load("cashier.pem"), with("Content-Type", "text/plain"), 415, "unsupported_media_type"},
		// Registers and shifts.
		{"a shift on an unknown register", "POST", "/api/v2/shifts", map[string]int{"register_id": 999}, tok, 404, "not_found"},
		{"a shift without a register", "POST", "/api/v2/shifts", `{}`, tok, 400, "missing_field"},
		{"closing an unknown shift", "POST", "/api/v2/shifts/12345/close", nil, tok, 404, "not_found"},
		{"no open shift", "GET", "/api/v2/shifts/current", nil, tok, 404, "no_open_shift"},
		// API keys.
		{"a key without a name", "POST", "/api/v2/api-keys", map[string]string{}, tok, 400, "invalid_name"},
		{"a key expiring in the past", "POST", "/api/v2/api-keys", map[string]string{"name": "k", "expires_at": "2020-01-01T00:00:00Z"}, tok, 400, "invalid_expiry"},
		{"a key with a bad expiry", "POST", "/api/v2/api-keys", map[string]string{"name": "k", "expires_at": "tomorrow"}, tok, 400, "invalid_expiry"},
		{"a key with an unknown scope", "POST", "/api/v2/api-keys", map[string]any{"name": "k", "scopes": []string{"root"}}, tok, 400, "invalid_scope"},
		{"revoking an unknown key", "DELETE", "/api/v2/api-keys/00000000-0000-0000-0000-000000000000", nil, tok, 404, "not_found"},
		{"revoking a non-UUID key id", "DELETE", "/api/v2/api-keys/abc", nil, tok, 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.For(t).Do(c.method, c.path, c.body, c.hdr...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("Content-Type %q, want JSON", ct)
			}
			if got := r.Map(t)["error"]; got != c.code {
				t.Fatalf("error %q, want %q", got, c.code)
			}
		})
	}
}

func TestTheSeedsHeadersAndTheirHarmlessVariantsAreAccepted(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	creds := map[string]string{"email": "ivan@example.com", "password": "cashier secret 1"}
	for _, hdr := range [][]string{
		{"Accept", "application/json", "Content-Type", "application/json"},
		{"Content-Type", "application/json; charset=utf-8"},
		{"Accept", "*/*"},
		{"Accept", "text/html, application/*;q=0.5"},
		{"Accept", "application/json; charset=utf-8"},
	} {
		if r := e.Do("POST", "/api/v2/authenticate", creds, hdr...); r.Status != 200 {
			t.Errorf("%v: %d %s", hdr, r.Status, r.Body)
		}
	}
}

func TestShiftsNeedAnAssignedRegisterAndOneOpenAtATime(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	signUpOnPlatform(t, e, "olha@example.com", "cashier secret 2", "")
	ivan := auth(authenticate(t, e, "ivan@example.com", "cashier secret 1"))
	olha := auth(authenticate(t, e, "olha@example.com", "cashier secret 2"))
	admin := bearer(adminToken)
	reg := e.Do("POST", "/admin/v1/registers", map[string]string{"fiscal_number": "4000055255"}, admin...).Map(t)
	body := map[string]any{"register_id": reg["id"]}
	if r := e.Do("POST", "/api/v2/shifts", body, ivan...); r.Status != 403 || r.Map(t)["error"] != "register_not_assigned" {
		t.Fatalf("shift on a register not assigned: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/admin/v1/registers", map[string]string{"fiscal_number": "4000055255"}, admin...); r.Status != 409 {
		t.Fatalf("duplicate register: %d %s", r.Status, r.Body)
	}
	for _, who := range []string{"ivan@example.com", "olha@example.com"} {
		if r := e.Do("PUT", "/admin/v1/registers/"+jsonNum(reg["id"])+"/users/"+who, nil, admin...); r.Status != 200 {
			t.Fatalf("assign %s: %d %s", who, r.Status, r.Body)
		}
	}
	list := e.Do("GET", "/api/v2/registers", nil, ivan...)
	if list.Status != 200 || len(list.Map(t)["registers"].([]any)) != 1 {
		t.Fatalf("ivan's registers: %d %s", list.Status, list.Body)
	}
	if r := e.Do("POST", "/api/v2/shifts", body, ivan...); r.Status != 201 {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v2/shifts", body, olha...); r.Status != 409 || r.Map(t)["error"] != "shift_already_open" {
		t.Fatalf("second shift on the register: %d %s", r.Status, r.Body)
	}
	cur := e.Do("GET", "/api/v2/shifts/current", nil, ivan...).Map(t)
	if r := e.Do("POST", "/api/v2/shifts/"+cur["id"].(string)+"/close", nil, olha...); r.Status != 404 {
		t.Fatalf("closing another cashier's shift: %d %s", r.Status, r.Body)
	}
}

func jsonNum(v any) string { return strconvFloat(v.(float64)) }
