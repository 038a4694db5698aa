package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// doHeaders sends a request with exactly the header lines of h (Do sets
// one value per name) and checks the answer against the OpenAPI document.
func doHeaders(t *testing.T, e *testenv.Env, method, path string, body any, h http.Header) *testenv.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := &testenv.Response{Status: res.StatusCode, Header: res.Header, Body: raw}
	spec, _ := http.NewRequest(method, e.URL+path, nil)
	testenv.CheckAgainstSpec(t, e.Config.SourceList(), spec, r.Status, r.Header, r.Body)
	return r
}

func TestTwoCredentialsInOneRequestAreRefusedBeforeAnyIsLookedAt(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		newBankUser(t, e, "ned@example.com", "ned's password")
		signUp(t, e, "ola@example.com", "ola's password")
		user := "Bearer " + mustLogin(t, e, "ned@example.com", "ned's password").AccessToken
		admin := "Bearer " + adminToken
		key := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, "Authorization", user).Map(t)["key"].(string)
		step := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {"x"}, "password": {"y"}}.Encode()
		cases := []struct {
			name, method, path string
			body               any
			h                  http.Header
			oauth              bool // the bank door's error shape
		}{
			{"admin: a user's token first", "GET", "/admin/v1/users", nil, http.Header{"Authorization": {user, admin}}, false},
			{"admin: the admin token first", "GET", "/admin/v1/users", nil, http.Header{"Authorization": {admin, user}}, false},
			{"admin: a deletion", "DELETE", "/admin/v1/users/ola@example.com", nil, http.Header{"Authorization": {user, admin}}, false},
			{"admin: the same token twice", "GET", "/admin/v1/users", nil, http.Header{"Authorization": {admin, admin}}, false},
			{"admin: token and a different key", "GET", "/admin/v1/users", nil, http.Header{"Authorization": {admin}, "X-Api-Key": {key}}, false},
			{"platform profile", "GET", "/v1/user/profile", nil, http.Header{"Authorization": {user, user}}, false},
			{"platform login", "POST", "/v1/auth/login", map[string]string{"username": "ola@example.com", "password": "ola's password"}, http.Header{"Authorization": {user, admin}}, false},
			{"cashdesk: two keys", "GET", "/api/v2/profile", nil, http.Header{"X-Api-Key": {key, key}}, false},
			{"cashdesk: bearer and a different key", "GET", "/api/v2/profile", nil, http.Header{"Authorization": {user}, "X-Api-Key": {key}}, false},
			{"cashdesk: a key creation", "POST", "/api/v2/api-keys", map[string]string{"name": "second"}, http.Header{"Authorization": {user, user}}, false},
			{"bank: two Basic clients", "POST", "/auth/oauth/token?" + step, map[string]string{}, http.Header{"Authorization": {webBasic, "Basic b3RoZXI6c2VjcmV0"}}, true},
			{"bank: two step tokens", "GET", "/auth/oauth/devices", nil, http.Header{"Authorization": {user, user}}, true},
			{"bank: revoke", "POST", "/auth/oauth/revoke?token=x", map[string]string{}, http.Header{"Authorization": {webBasic, webBasic}}, true},
		}
		for _, c := range cases {
			r := doHeaders(t, e, c.method, c.path, c.body, c.h)
			want := "ambiguous_credentials"
			if c.oauth {
				want = "invalid_request"
			}
			if r.Status != 400 || r.Map(t)["error"] != want {
				t.Errorf("%s: %d %s, want 400 %s", c.name, r.Status, r.Body, want)
			}
		}
		// Nothing was done: the account is there, no new key, no new session.
		if r := e.Do("GET", "/admin/v1/users/ola@example.com", nil, "Authorization", admin); r.Status != 200 {
			t.Fatalf("the refused deletion deleted: %d %s", r.Status, r.Body)
		}
		if keys := e.Do("GET", "/api/v2/api-keys", nil, "Authorization", user).Map(t)["keys"].([]any); len(keys) != 1 {
			t.Fatalf("keys after the refused creation: %v", keys)
		}
		if events := auditEvents(t, e, "&user=ola@example.com&type=login."); len(events) != 0 {
			t.Fatalf("the refused login was tried: %v", events)
		}
		// One credential, or the same one in both headers, is fine.
		if r := doHeaders(t, e, "GET", "/api/v2/profile", nil, http.Header{"Authorization": {"Bearer " + key}, "X-Api-Key": {key}}); r.Status != 200 {
			t.Fatalf("the same key in both headers: %d %s", r.Status, r.Body)
		}
		if r := doHeaders(t, e, "GET", "/admin/v1/users", nil, http.Header{"Authorization": {admin}}); r.Status != 200 {
			t.Fatalf("one admin token: %d %s", r.Status, r.Body)
		}
	})
}
