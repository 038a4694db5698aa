package bank_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheBankDoorTakesNoAPIKey: a key passes no factor chain, so no bank
// endpoint takes one (401 invalid_token, in RFC 6750's shape, whichever
// header carries it), and no key can be scoped to the bank door.
func TestTheBankDoorTakesNoAPIKey(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		a := k.ok(k.Do("POST", "/api/v2/authenticate", map[string]string{"email": k.email, "password": password}), 200)
		cash := []string{"Authorization", a["token"].(string)}
		r := k.Do("POST", "/api/v2/api-keys", map[string]any{"name": "bank robot", "scopes": []string{"bank"}}, cash...)
		if m := r.Map(t); r.Status != 400 || m["error"] != "invalid_scope" {
			t.Fatalf("a key scoped to the bank door: %d %s", r.Status, r.Body)
		}
		key := k.ok(k.Do("POST", "/api/v2/api-keys", map[string]any{"name": "every door"}, cash...), 201)["key"].(string)
		if r := k.Do("GET", "/v1/user/profile", nil, "Authorization", "Bearer "+key); r.Status != 200 {
			t.Fatalf("the key at the platform door: %d %s", r.Status, r.Body)
		}
		for _, hdr := range [][]string{{"Authorization", "Bearer " + key}, {"X-API-Key", key}} {
			for _, c := range []struct{ method, path string }{
				{"GET", "/auth/oauth/devices"},
				{"POST", "/auth/oauth/token?" + q("grant_type", "customer", "customer_id", fmt.Sprint(custA))},
				{"POST", "/auth/oauth/otp?factor=OTP_EMAIL"},
				{"POST", "/auth/oauth/logout"},
			} {
				r := k.Do(c.method, c.path, nil, hdr...)
				if m := r.Map(t); r.Status != 401 || m["error"] != "invalid_token" {
					t.Fatalf("%s %s with the key as %s: %d %s", c.method, c.path, hdr[0], r.Status, r.Body)
				}
			}
		}
	})
}
