package server_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAnAccountWithAFactorNeverCompletesTheBankSignInWithThePasswordAlone
// is the red team's reproduction: a role whose policy asks for no factor
// ("chains":[], documented as complete at step 2), and a member who
// enrolled an authenticator on the platform door. Step 2 must not complete
// the sign-in: the role's chain becomes [["TOTP"]] for this account, in
// possible_chains, roles_auth_factors and completion; the pending token
// reads no profile, mints no API key and removes no factor; a TOTP code
// (or a recovery code) completes it. A member without a factor still
// completes at step 2.
func TestAnAccountWithAFactorNeverCompletesTheBankSignInWithThePasswordAlone(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		admin := bearer(adminToken)
		must := func(r *testenv.Response, status int) map[string]any {
			t.Helper()
			if r.Status != status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, status)
			}
			return r.Map(t)
		}
		role := must(e.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "VIEWER", "chains": [][]string{}}, admin...), 201)["id"]
		must(e.Do("POST", "/admin/v1/customers", map[string]any{"id": bankCustomer, "name": "Test LLP"}, admin...), 201)
		member := func(email string) *bankFixture {
			must(e.Do("POST", "/admin/v1/users", map[string]any{"email": email, "password": email + " pw", "email_confirmed": true}, admin...), 201)
			must(e.Do("PUT", "/admin/v1/users/"+email+"/bank-profile", map[string]any{"iin": iinFor(email)}, admin...), 200)
			must(e.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", bankCustomer, email), map[string]any{"role_id": role}, admin...), 200)
			return newBankFixture(t, e)
		}
		step2 := func(k *bankFixture, email string) map[string]any {
			s1 := accessOf(t, k.step1(t, iinFor(email), email+" pw"))
			return must(k.grant(s1, url.Values{"grant_type": {"customer"}, "customer_id": {fmt.Sprint(bankCustomer)}}), 200)
		}

		// Without a factor, the role's empty policy completes at step 2.
		plain := step2(member("ned@example.com"), "ned@example.com")
		if plain["chain_type"] != "EMPTY" || fmt.Sprint(plain["possible_chains"]) != "[]" {
			t.Fatalf("a member without a factor: %v", plain)
		}
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(plain["access_token"].(string))...); r.Status != 200 {
			t.Fatalf("a member without a factor is not signed in at step 2: %d %s", r.Status, r.Body)
		}

		const email = "oda@example.com"
		k := member(email)
		platform := bearer(mustLogin(t, e, email, email+" pw").AccessToken)
		r := must(e.Do("POST", "/v1/user/factors/totp", map[string]string{"password": email + " pw"}, platform...), 200)
		secret := r["secret"].(string)
		recovery := must(e.Do("POST", "/v1/user/factors/totp/confirm", map[string]string{"otp": totpCode(t, e, secret)}, platform...), 200)["recovery_codes"].([]any)
		e.Clock.Advance(30 * time.Second)

		s2 := step2(k, email)
		if s2["chain_type"] != "EMPTY" || fmt.Sprint(s2["possible_chains"]) != "[[TOTP]]" || s2["otp_strategy"] != "TOTP" {
			t.Fatalf("step 2 of an account with a factor: chain %v, possible %v, strategy %v", s2["chain_type"], s2["possible_chains"], s2["otp_strategy"])
		}
		items := s2["roles_auth_factors"].([]any)
		if len(items) != 1 || fmt.Sprint(items[0].(map[string]any)["auth_factor_chain"]) != "[TOTP]" {
			t.Fatalf("roles_auth_factors %v, want one chain [TOTP]", items)
		}
		pending := s2["access_token"].(string)
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(pending)...); r.Status != 403 || errorCode(t, r) != "auth_incomplete" {
			t.Fatalf("the password alone read the profile: %d %s", r.Status, r.Body)
		}
		if r := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "loot"}, append(bearer(pending), "Accept", "application/json")...); r.Status != 403 {
			t.Fatalf("the password alone minted an API key: %d %s", r.Status, r.Body)
		}
		if r := e.Do("DELETE", "/auth/oauth/totp?password="+url.QueryEscape(k.enc(t, email+" pw")), nil, bearer(pending)...); r.Status != 403 {
			t.Fatalf("the password alone removed the factor: %d %s", r.Status, r.Body)
		}
		if f, _ := factorList(t, e, "/v1/user/factors", platform); len(f) == 0 {
			t.Fatal("the authenticator is gone")
		}

		full := must(k.grant(pending, url.Values{"grant_type": {"otp"}, "factor": {"TOTP"}, "otp": {totpCode(t, e, secret)}}), 200)
		if full["chain_type"] != "TOTP" || fmt.Sprint(full["passed_auth_factors"]) != "[TOTP]" {
			t.Fatalf("TOTP did not complete the chain: %v", full)
		}
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(full["access_token"].(string))...); r.Status != 200 {
			t.Fatalf("the completed chain: %d %s", r.Status, r.Body)
		}
		// A recovery code stands in for the authenticator, as in every TOTP chain.
		again := step2(k, email)["access_token"].(string)
		must(k.grant(again, url.Values{"grant_type": {"otp"}, "factor": {"TOTP"}, "otp": {recovery[0].(string)}}), 200)
	})
}
