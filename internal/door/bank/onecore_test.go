package bank_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// signUpOnPlatform registers and confirms an account at the platform door,
// as a new user would, (its password is the test password).
func (k *bank) signUpOnPlatform(email string) {
	k.t.Helper()
	k.ok(k.Do("POST", "/v1/user", map[string]string{"login": email, "password": password}), 201)
	code := k.Mail.Next(k.t, testenv.MailTimeout).Secret(k.t)
	k.ok(k.Do("GET", "/v1/user/confirm/"+code, nil), 200)
}

func TestAnAccountRegisteredOnThePlatformPassesStepOneWithNoCustomers(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		k.signUpOnPlatform("pat@example.com")
		fp := []string{"Device-Fingerprint", "fp-pat"}
		a := k.ok(k.login("pat@example.com", fp...), 200)
		if c, ok := a["customers"].([]any); !ok || len(c) != 0 {
			t.Fatalf("customers = %#v, want []", a["customers"])
		}
		if v, ok := a["cus_unique_idn"]; !ok || v != nil {
			t.Fatalf("cus_unique_idn = %#v, want null", a["cus_unique_idn"])
		}
		if a["role"] != "ANONYMOUS" || a["decrypted_username"] != "pat@example.com" || a["chain_type"] != "EMPTY" {
			t.Fatalf("step 1 of a platform account: %v", a)
		}
		if n := count(k.auditTypes("user=pat@example.com"), "login.succeeded"); n != 1 {
			t.Fatalf("audit: %d login.succeeded rows, want 1", n)
		}

		// What the token may do: choose nothing, open nothing, refresh
		// nothing; it may end its session.
		k.oauthErr(k.step(a, q("grant_type", "customer", "customer_id", fmt.Sprint(custA)), fp...), 400, "invalid_grant")
		k.oauthErr(k.Do("POST", "/auth/oauth/otp?factor=OTP_EMAIL", nil, bearer(a)...), 400, "invalid_grant")
		k.oauthErr(k.Do("GET", "/auth/oauth/devices", nil, append(bearer(a), fp...)...), 403, "insufficient_scope")
		for _, path := range []string{"/v1/user/profile", "/api/v2/profile"} {
			if r := k.Do("GET", path, nil, bearer(a)...); r.Status != 403 || r.Map(t)["error"] != "auth_incomplete" {
				t.Fatalf("%s with the step-1 token: %d %s", path, r.Status, r.Body)
			}
		}
		k.oauthErr(k.token(q("grant_type", "refresh_token", "refresh_token", a["refresh_token"].(string)), "Authorization", webBasic), 400, "invalid_grant")
		k.ok(k.Do("POST", "/auth/oauth/logout", nil, bearer(a)...), 204)
		k.oauthErr(k.step(a, q("grant_type", "customer", "customer_id", fmt.Sprint(custA))), 401, "invalid_token")

		// Made a member by an operator, the same account completes a chain
		// without a bank profile (an e-mail code needs none).
		admin := []string{"Authorization", "Bearer " + adminToken}
		role := k.ok(k.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "CLERK", "chains": [][]string{{"OTP_EMAIL"}}}, admin...), 201)
		k.ok(k.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", custB, "pat@example.com"), map[string]any{"role_id": role["id"]}, admin...), 200)
		s1 := k.ok(k.login("pat@example.com", fp...), 200)
		if c := s1["customers"].([]any); len(c) != 1 {
			t.Fatalf("customers after the membership: %v", c)
		}
		s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custB)), fp...), 200)
		k.ok(k.Do("POST", "/auth/oauth/otp?factor=OTP_EMAIL", nil, bearer(s2)...), 200)
		code := sixDigits.FindString(k.Mail.Next(t, testenv.MailTimeout).Text)
		s3 := k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_EMAIL", "otp", code), fp...), 200)
		if s3["chain_type"] != "OTP_EMAIL" || s3["cus_unique_idn"] != nil {
			t.Fatalf("step 3: %v", s3)
		}
	})
}

func TestRequireProfileKeepsTheBankDoorToAccountsWithABankProfile(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b, func(c *config.Config) { c.BankRequireProfile = true })
		k.signUpOnPlatform("pat@example.com")
		m := k.oauthErr(k.login("pat@example.com"), 400, "invalid_grant")
		wrong := k.oauthErr(k.token(q("grant_type", "password", "user_type", "customer", "username", k.enc("pat@example.com"),
			"password", k.enc("not the password")), "Authorization", webBasic), 400, "invalid_grant")
		if m["error_description"] != wrong["error_description"] {
			t.Fatalf("no profile %q, wrong password %q: the answers differ", m["error_description"], wrong["error_description"])
		}
		r := k.ok(k.Do("GET", "/admin/v1/audit?type=login.failed&user=pat@example.com", nil, "Authorization", "Bearer "+adminToken), 200)
		reasons := map[string]int{}
		for _, ev := range r["events"].([]any) {
			d := ev.(map[string]any)["detail"].(map[string]any)
			reasons[fmt.Sprint(d["reason"])]++
		}
		if reasons["not_a_bank_user"] != 1 {
			t.Fatalf("login.failed reasons %v, want one not_a_bank_user", reasons)
		}
		// The account with a profile still signs in.
		k.ok(k.login(k.email), 200)
	})
}
