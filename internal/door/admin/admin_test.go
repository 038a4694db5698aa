package admin_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const adminToken = "test-admin-token-0123456789"

func newEnv(t *testing.T, b testenv.Backend) *testenv.Env {
	return testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) { c.AdminToken = adminToken }})
}

func as(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func TestAnOperatorManagesUsers(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b)
		for i := 0; i < 3; i++ {
			r := e.Do("POST", "/admin/v1/users", map[string]any{
				"email": fmt.Sprintf("user%d@example.com", i), "password": "long enough", "email_confirmed": true, "name": fmt.Sprintf("User %d", i),
			}, as(adminToken)...)
			if r.Status != 201 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
		}
		e.Mail.None(t) // operators' creations send no mail

		r := e.Do("GET", "/admin/v1/users?limit=2&offset=1", nil, as(adminToken)...)
		var page struct {
			Users []struct{ Email string }
			Total int
		}
		r.JSON(t, &page)
		if r.Status != 200 || page.Total != 3 || len(page.Users) != 2 || page.Users[0].Email != "user1@example.com" {
			t.Fatalf("page: %d %s", r.Status, r.Body)
		}
		r = e.Do("GET", "/admin/v1/users?q=USER2", nil, as(adminToken)...)
		r.JSON(t, &page)
		if page.Total != 1 || page.Users[0].Email != "user2@example.com" {
			t.Fatalf("search: %s", r.Body)
		}

		r = e.Do("PUT", "/admin/v1/users/user1@example.com/roles", map[string]any{"roles": []string{"editor", "admin"}}, as(adminToken)...)
		if r.Status != 200 {
			t.Fatalf("roles: %d %s", r.Status, r.Body)
		}
		login := e.Do("POST", "/v1/auth/login", map[string]string{"username": "user1@example.com", "password": "long enough"})
		tok := login.Map(t)["access_token"].(string)
		prof := e.Do("GET", "/v1/user/profile", nil, as(tok)...).Map(t)
		if fmt.Sprint(prof["roles"]) != "[admin editor]" {
			t.Fatalf("profile roles = %v", prof["roles"])
		}
		// An admin user's own token opens the admin API.
		if r := e.Do("GET", "/admin/v1/users/user0@example.com", nil, as(tok)...); r.Status != 200 {
			t.Fatalf("admin user's token: %d", r.Status)
		}

		if r := e.Do("POST", "/admin/v1/users/user1@example.com/lock", nil, as(adminToken)...); r.Status != 200 || r.Map(t)["locked"] != true {
			t.Fatalf("lock: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/user/profile", nil, as(tok)...); r.Status != 401 {
			t.Fatalf("a locked user's session survives: %d", r.Status)
		}
		if r := e.Do("POST", "/v1/auth/login", map[string]string{"username": "user1@example.com", "password": "long enough"}); r.Status != 403 || r.Map(t)["error"] != "account_locked" {
			t.Fatalf("locked login: %d %s", r.Status, r.Body)
		}
		e.Do("POST", "/admin/v1/users/user1@example.com/unlock", nil, as(adminToken)...)
		if r := e.Do("POST", "/v1/auth/login", map[string]string{"username": "user1@example.com", "password": "long enough"}); r.Status != 200 {
			t.Fatalf("unlocked login: %d %s", r.Status, r.Body)
		}

		if r := e.Do("DELETE", "/admin/v1/users/user2@example.com", nil, as(adminToken)...); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/admin/v1/users/user2@example.com", nil, as(adminToken)...); r.Status != 404 {
			t.Fatalf("deleted user still shown: %d", r.Status)
		}
	})
}

func TestTheAdminAPIRefusesOthers(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	e.Do("POST", "/admin/v1/users", map[string]any{"email": "plain@example.com", "password": "long enough", "email_confirmed": true}, as(adminToken)...)
	tok := e.Do("POST", "/v1/auth/login", map[string]string{"username": "plain@example.com", "password": "long enough"}).Map(t)["access_token"].(string)
	for name, c := range map[string]struct {
		hdr    []string
		status int
	}{
		"no token":         {nil, 401},
		"a wrong token":    {as("wrong-token"), 401},
		"a non-admin user": {as(tok), 403},
	} {
		if r := e.Do("GET", "/admin/v1/users", nil, c.hdr...); r.Status != c.status {
			t.Errorf("%s: %d, want %d", name, r.Status, c.status)
		}
	}
	if r := e.Do("POST", "/admin/v1/users", map[string]any{"email": "x@example.com", "password": "long enough", "roles": []string{"bad role!"}}, as(adminToken)...); r.Status != 400 {
		t.Errorf("bad role: %d", r.Status)
	}
}
