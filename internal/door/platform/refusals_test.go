package platform_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestBadInputIsRefusedWithAClearErrorAndChangesNothing(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	p := signUp(t, e, "ivy@example.com", "ivy's password")
	auth := bearer(p.AccessToken)
	huge := `{"login":"` + strings.Repeat("a", 2<<20) + `"}`

	cases := []struct {
		name, method, path string
		body               any
		hdr                []string
		status             int
		code               string
	}{
		{"malformed JSON", "POST", "/v1/user", `{"login":`, nil, 400, "invalid_json"},
		{"a JSON array", "POST", "/v1/user", `[1,2]`, nil, 400, "invalid_type"},
		{"a number for the login", "POST", "/v1/user", `{"login":5,"password":"long enough"}`, nil, 400, "invalid_type"},
		{"trailing data", "POST", "/v1/user", `{"login":"x@example.com","password":"long enough"} {}`, nil, 400, "invalid_json"},
		{"an empty body", "POST", "/v1/user", ``, nil, 400, "invalid_json"},
		{"no password", "POST", "/v1/user", map[string]string{"login": "new@example.com"}, nil, 400, "missing_field"},
		{"a bad e-mail", "POST", "/v1/user", map[string]string{"login": "not-an-email", "password": "long enough"}, nil, 400, "invalid_email"},
		{"a short password", "POST", "/v1/user", map[string]string{"login": "new@example.com", "password": "short"}, nil, 400, "weak_password"},
		{"an unknown locale", "POST", "/v1/user", map[string]string{"login": "new@example.com", "password": "long enough", "locale": "fr"}, nil, 400, "invalid_locale"},
		{"an unknown source", "POST", "/v1/user", map[string]string{"login": "new@example.com", "password": "long enough", "source": "mining"}, nil, 400, "invalid_source"},
		{"a taken login", "POST", "/v1/user", map[string]string{"login": "IVY@example.com", "password": "long enough"}, nil, 409, "login_taken"},
		{"a huge body", "POST", "/v1/user", huge, nil, 413, "body_too_large"},
		{"a form body", "POST", "/v1/auth/login", "username=a", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"a wrong password", "POST", "/v1/auth/login", map[string]string{"username": "ivy@example.com", "password": "wrong password"}, nil, 401, "invalid_credentials"},
		{"an unknown user", "POST", "/v1/auth/login", map[string]string{"username": "who@example.com", "password": "wrong password"}, nil, 401, "invalid_credentials"},
		{"login without password", "POST", "/v1/auth/login", map[string]string{"username": "ivy@example.com"}, nil, 400, "missing_field"},
		{"an unknown confirm code", "GET", "/v1/user/confirm/" + strings.Repeat("A", 43), nil, nil, 400, "invalid_or_expired_code"},
		{"an unknown reset token", "POST", "/v1/user/password/reset", map[string]string{"token": "nope", "password": "long enough"}, nil, 400, "invalid_or_expired_code"},
		{"restore of a bad address", "POST", "/v1/user/password/restore", map[string]string{"email": "nope"}, nil, 400, "invalid_email"},
		{"exists without email", "GET", "/v1/user/address/exists", nil, nil, 400, "missing_field"},
		{"profile without a token", "GET", "/v1/user/profile", nil, nil, 401, "unauthorized"},
		{"profile with a forged token", "GET", "/v1/user/profile", nil, []string{"Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}, 401, "invalid_token"},
		{"a bad address", "POST", "/v1/user/address", map[string]string{"address": "0x123"}, auth, 400, "invalid_address"},
		{"a wrong EIP-55 checksum", "POST", "/v1/user/address", map[string]string{"address": strings.Replace(evmAddress, "aA", "Aa", 1)}, auth, 400, "invalid_address"},
		{"no address", "POST", "/v1/user/address", map[string]string{"name": "x"}, auth, 400, "missing_field"},
		{"an unknown refresh token", "POST", "/v1/auth/refresh", map[string]string{"token": "nope"}, nil, 401, "invalid_token"},
		{"refresh without a token", "POST", "/v1/auth/refresh", `{}`, nil, 400, "missing_field"},
		{"external token without bearer", "POST", "/v1/auth/token", nil, nil, 401, "unauthorized"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.For(t).Do(c.method, c.path, c.body, c.hdr...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if got := r.Map(t)["error"]; got != c.code {
				t.Fatalf("error %q, want %q", got, c.code)
			}
		})
	}
	// Nothing above created an account or changed Ivy's.
	if r := e.Do("GET", "/v1/user/address/exists?email=new@example.com", nil); r.Map(t)["exist"] != false {
		t.Fatal("a refused registration created an account")
	}
	r := e.Do("GET", "/v1/user/profile", nil, auth...)
	if prof := r.Map(t); len(prof["addresses"].([]any)) != 0 {
		t.Fatalf("a refused address was stored: %s", r.Body)
	}
	login(t, e, "ivy@example.com", "ivy's password")
}

func TestAWrongMethodAnswers405WithAllow(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	r := e.DoRaw("DELETE", "/v1/auth/login", nil)
	if r.Status != 405 || !strings.Contains(r.Header.Get("Allow"), "POST") {
		t.Fatalf("status %d Allow %q", r.Status, r.Header.Get("Allow"))
	}
	if !strings.Contains(string(r.Body), `"error":"method_not_allowed"`) {
		t.Fatalf("body %s", r.Body)
	}
	if r := e.DoRaw("GET", "/v1/nothing-here", nil); r.Status != 404 || !strings.Contains(string(r.Body), `"not_found"`) {
		t.Fatalf("unknown path: %d %s", r.Status, r.Body)
	}
}

func TestStatusReportsVersionAndCommit(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	r := e.Do("GET", "/status", nil)
	m := r.Map(t)
	if r.Status != 200 || m["status"] != "ok" || m["version"] != "test" || m["commit"] != "test" {
		t.Fatalf("status: %d %s", r.Status, r.Body)
	}
}

func TestPublicEndpointsAreRateLimited(t *testing.T) {
	e := testenv.New(t, testenv.Options{Config: func(c *configT) { c.RateLimits = "on" }})
	var last int
	for i := 0; i < 40; i++ {
		last = e.Do("GET", "/v1/user/address/exists?email=x@example.com", nil).Status
		if last == 429 {
			break
		}
	}
	if last != 429 {
		t.Fatal("exists was never rate-limited")
	}
}

type configT = config.Config
