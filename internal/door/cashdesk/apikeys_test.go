package cashdesk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

type keyAnswer struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Prefix     string   `json:"prefix"`
	Scopes     []string `json:"scopes"`
	ExpiresAt  *string  `json:"expires_at"`
	LastUsedAt *string  `json:"last_used_at"`
	RevokedAt  *string  `json:"revoked_at"`
	Key        string   `json:"key"`
}

func createKey(t *testing.T, e *testenv.Env, hdr []string, body map[string]any) keyAnswer {
	t.Helper()
	r := e.Do("POST", "/api/v2/api-keys", body, hdr...)
	if r.Status != 201 {
		t.Fatalf("create key: %d %s", r.Status, r.Body)
	}
	var k keyAnswer
	r.JSON(t, &k)
	return k
}

func listKeys(t *testing.T, e *testenv.Env, hdr []string) []keyAnswer {
	t.Helper()
	r := e.Do("GET", "/api/v2/api-keys", nil, hdr...)
	if r.Status != 200 {
		t.Fatalf("list keys: %d %s", r.Status, r.Body)
	}
	var l struct{ Keys []keyAnswer }
	r.JSON(t, &l)
	return l.Keys
}

func TestAnAPIKeyOpensEveryDoorThatTakesKeysUntilRevoked(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b)
		uuid := signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "Ivan")
		a := authenticate(t, e, "ivan@example.com", "cashier secret 1")

		k := createKey(t, e, auth(a), map[string]any{"name": "till software"})
		if !strings.HasPrefix(k.Key, "ghk_") || len(k.Key) < 40 || !strings.HasPrefix(k.Key, k.Prefix) || k.Prefix == k.Key {
			t.Fatalf("key %q with prefix %q: want ghk_…, the prefix a strict beginning", k.Key, k.Prefix)
		}
		// Shown once: the list never carries the secret.
		list := listKeys(t, e, auth(a))
		if len(list) != 1 || list[0].Key != "" || list[0].ID != k.ID || list[0].LastUsedAt != nil {
			t.Fatalf("list after create: %+v", list)
		}

		// Another door's protected endpoint, both header forms.
		e.Clock.Advance(time.Minute)
		for _, hdr := range [][]string{bearer(k.Key), {"X-API-Key", k.Key}} {
			r := e.Do("GET", "/v1/user/profile", nil, hdr...)
			if r.Status != 200 || r.Map(t)["id"] != uuid {
				t.Fatalf("platform profile with %s: %d %s", hdr[0], r.Status, r.Body)
			}
		}
		if r := e.Do("GET", "/api/v2/profile", nil, "X-API-Key", k.Key); r.Status != 200 {
			t.Fatalf("cashdesk profile with the key: %d %s", r.Status, r.Body)
		}
		list = listKeys(t, e, auth(a))
		if list[0].LastUsedAt == nil {
			t.Fatalf("last_used_at not recorded: %+v", list[0])
		}
		// A key has no session to log out of.
		if r := e.Do("POST", "/api/v2/logout", nil, bearer(k.Key)...); r.Status != 400 || r.Map(t)["error"] != "no_session" {
			t.Fatalf("logout with a key: %d %s", r.Status, r.Body)
		}

		if r := e.Do("DELETE", "/api/v2/api-keys/"+k.ID, nil, auth(a)...); r.Status != 204 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		for _, path := range []string{"/v1/user/profile", "/api/v2/profile"} {
			if r := e.Do("GET", path, nil, bearer(k.Key)...); r.Status != 401 || r.Map(t)["error"] != "invalid_token" {
				t.Fatalf("%s with a revoked key: %d %s", path, r.Status, r.Body)
			}
		}
		// A second node over the same database refuses it too: revocation
		// lives in the shared store, not in a node's memory.
		other := testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) { *c = e.Config }})
		if r := other.Do("GET", "/v1/user/profile", nil, bearer(k.Key)...); r.Status != 401 {
			t.Fatalf("the other node accepted a revoked key: %d %s", r.Status, r.Body)
		}
		if list = listKeys(t, e, auth(a)); list[0].RevokedAt == nil {
			t.Fatalf("revoked_at not shown: %+v", list[0])
		}
	})
}

func TestAnAPIKeyExpiresAndKeepsToItsScopes(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	a := authenticate(t, e, "ivan@example.com", "cashier secret 1")
	expiry := e.Clock.Now().Add(time.Hour).Format(time.RFC3339)
	short := createKey(t, e, auth(a), map[string]any{"name": "short", "expires_at": expiry})
	narrow := createKey(t, e, auth(a), map[string]any{"name": "narrow", "scopes": []string{"cashdesk"}})

	if r := e.Do("GET", "/v1/user/profile", nil, bearer(short.Key)...); r.Status != 200 {
		t.Fatalf("before expiry: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(narrow.Key)...); r.Status != 403 || r.Map(t)["error"] != "insufficient_scope" {
		t.Fatalf("cashdesk-only key on the platform door: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v2/profile", nil, bearer(narrow.Key)...); r.Status != 200 {
		t.Fatalf("cashdesk-only key on the cashdesk: %d %s", r.Status, r.Body)
	}
	// A narrow key cannot mint a wider one.
	if r := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "wide"}, bearer(narrow.Key)...); r.Status != 403 {
		t.Fatalf("narrow key creating a key: %d %s", r.Status, r.Body)
	}
	e.Clock.Advance(time.Hour)
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(short.Key)...); r.Status != 401 {
		t.Fatalf("after expiry: %d %s", r.Status, r.Body)
	}
}

func TestLogoutAndPasswordChangeEndSessions(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	first := authenticate(t, e, "ivan@example.com", "cashier secret 1")
	second := authenticate(t, e, "ivan@example.com", "cashier secret 1")
	key := createKey(t, e, auth(first), map[string]any{"name": "till"})

	if r := e.Do("POST", "/api/v2/password", map[string]string{"current_password": "wrong", "new_password": "a new secret 2"}, auth(first)...); r.Status != 401 {
		t.Fatalf("change with a wrong current password: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v2/password", map[string]string{"current_password": "cashier secret 1", "new_password": "a new secret 2"}, auth(first)...); r.Status != 204 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v2/profile", nil, auth(second)...); r.Status != 401 {
		t.Fatalf("the other session after a password change: %d", r.Status)
	}
	if r := e.Do("GET", "/api/v2/profile", nil, auth(first)...); r.Status != 200 {
		t.Fatalf("the changing session: %d", r.Status)
	}
	// Keys belong to integrations, not sessions: they survive a password change.
	if r := e.Do("GET", "/api/v2/profile", nil, bearer(key.Key)...); r.Status != 200 {
		t.Fatalf("key after a password change: %d", r.Status)
	}
	if r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com", "password": "cashier secret 1"}); r.Status != 401 {
		t.Fatalf("old password: %d", r.Status)
	}
	third := authenticate(t, e, "ivan@example.com", "a new secret 2")
	if r := e.Do("POST", "/api/v2/logout", nil, auth(third)...); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v2/profile", nil, auth(third)...); r.Status != 401 {
		t.Fatalf("after logout: %d", r.Status)
	}
}

func TestACertificateIsUploadedAsPEMAndRemoved(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	a := authenticate(t, e, "ivan@example.com", "cashier secret 1")
	r := e.Do("PUT", "/api/v2/profile/certificate", certtest.Load("cashier.pem"), append(auth(a), "Content-Type", "application/x-pem-file")...)
	var u user
	r.JSON(t, &u)
	if r.Status != 200 || u.Signature == nil || u.Signature.Serial != "14F1E2D3C4B50700000000000000000000000001" || u.SubjectKeyID == nil {
		t.Fatalf("PEM upload: %d %s", r.Status, r.Body)
	}
	r = e.Do("DELETE", "/api/v2/profile/certificate", nil, auth(a)...)
	r.JSON(t, &u)
	if r.Status != 200 || u.Signature != nil || u.SubjectKeyID != nil {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
}

func TestAnAdminsAPIKeyOpensTheAdminDoorWithinItsScopes(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	r := e.Do("POST", "/admin/v1/users", map[string]any{"email": "op@example.com", "password": "operator secret", "email_confirmed": true, "roles": []string{"admin"}}, bearer(adminToken)...)
	if r.Status != 201 {
		t.Fatalf("create admin: %d %s", r.Status, r.Body)
	}
	a := authenticate(t, e, "op@example.com", "operator secret")
	adminKey := createKey(t, e, auth(a), map[string]any{"name": "ops", "scopes": []string{"admin"}})
	tillKey := createKey(t, e, auth(a), map[string]any{"name": "till", "scopes": []string{"cashdesk"}})
	if r := e.Do("GET", "/admin/v1/registers", nil, "X-API-Key", adminKey.Key); r.Status != 200 {
		t.Fatalf("admin-scoped key: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/admin/v1/registers", nil, bearer(tillKey.Key)...); r.Status != 403 {
		t.Fatalf("cashdesk-scoped key on the admin door: %d %s", r.Status, r.Body)
	}
}
