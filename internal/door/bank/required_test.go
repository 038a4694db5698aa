package bank_test

import (
	"fmt"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

const custC = 333333

// withSigner adds customer C, whose SIGNER role requires an authenticator
// ([["TOTP"]]), to Ann's memberships.
func (k *bank) withSigner() {
	k.t.Helper()
	admin := []string{"Authorization", "Bearer " + adminToken}
	r := k.ok(k.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "SIGNER", "chains": [][]string{{"TOTP"}}}, admin...), 201)
	k.ok(k.Do("POST", "/admin/v1/customers", map[string]any{"id": custC, "name": "Signer LLP"}, admin...), 201)
	k.ok(k.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", custC, k.email), map[string]any{"role_id": r["id"]}, admin...), 200)
}

// The documented sequence of docs/bank.md "The required action": step 2
// names CONFIGURE_TOTP, the pending token enrols without a password, and
// the TOTP step's first code confirms the enrolment and completes the chain.
func TestARoleRequiringAnAuthenticatorEnrolsOneWithThePendingToken(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		k.withSigner()
		s1 := k.ok(k.login(k.email), 200)
		k.oauthErr(k.Do("POST", "/auth/oauth/totp", nil, bearer(s1)...), 403, "insufficient_scope") // no customer chosen

		s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custC))), 200)
		if s2["required_action"] != "CONFIGURE_TOTP" || fmt.Sprint(s2["possible_chains"]) != "[[TOTP]]" || s2["otp_strategy"] != "TOTP" {
			t.Fatalf("step 2 of a TOTP role without an authenticator: required_action %v, possible_chains %v, otp_strategy %v",
				s2["required_action"], s2["possible_chains"], s2["otp_strategy"])
		}
		if _, ok := s2["recovery_codes"]; ok {
			t.Fatalf("step 2 carries recovery codes: %v", s2)
		}
		// TOTP before the enrolment began: nothing to confirm.
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", "123456")), 400, "invalid_grant")

		secret := k.ok(k.Do("POST", "/auth/oauth/totp", nil, bearer(s2)...), 200)["secret"].(string)
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", "000000")), 400, "invalid_grant")
		code, err := totp.GenerateCode(secret, k.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		s3 := k.ok(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", code)), 200)
		if s3["chain_type"] != "TOTP" || fmt.Sprint(s3["passed_auth_factors"]) != "[TOTP]" || s3["required_action"] != nil {
			t.Fatalf("the confirming step: %v", s3)
		}
		if rec, _ := s3["recovery_codes"].([]any); len(rec) != 10 {
			t.Fatalf("recovery codes on the confirming step: %v", s3["recovery_codes"])
		}
		k.ok(k.Do("GET", "/auth/oauth/devices", nil, bearer(s3)...), 200) // a complete token

		// The authenticator is the account's now: the next login passes it as any TOTP chain.
		s2 = k.ok(k.step(k.ok(k.login(k.email), 200), q("grant_type", "customer", "customer_id", fmt.Sprint(custC))), 200)
		if s2["required_action"] != nil || fmt.Sprint(s2["possible_chains"]) != "[[TOTP]]" {
			t.Fatalf("step 2 after the enrolment: %v", s2)
		}
		k.oauthErr(k.Do("POST", "/auth/oauth/totp", nil, bearer(s2)...), 403, "insufficient_scope") // no action is required now
	})
}

// A role that needs a factor no enrolment gives (an SMS-only chain for an
// account without a phone) is still refused at step 2; one whose other
// chain is TOTP asks for the enrolment instead.
func TestARoleNoEnrolmentCanSatisfyIsStillRefusedAtStep2(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	admin := []string{"Authorization", "Bearer " + adminToken}
	r := k.ok(k.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "TEXTER", "chains": [][]string{{"OTP_SMS"}}}, admin...), 201)
	k.ok(k.Do("POST", "/admin/v1/customers", map[string]any{"id": custC, "name": "Texter LLP"}, admin...), 201)
	k.ok(k.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", custC, k.email), map[string]any{"role_id": r["id"]}, admin...), 200)
	k.ok(k.Do("PUT", "/admin/v1/users/"+k.email+"/bank-profile", map[string]any{"iin": iin, "phone": ""}, admin...), 200)

	s1 := k.ok(k.login(k.email), 200)
	k.oauthErr(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custC))), 400, "invalid_grant")
	s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA))), 200) // DIRECTOR: [["OTP_SMS"],["TOTP"]]
	if s2["required_action"] != "CONFIGURE_TOTP" || fmt.Sprint(s2["possible_chains"]) != "[[TOTP]]" {
		t.Fatalf("DIRECTOR without a phone: required_action %v, possible_chains %v", s2["required_action"], s2["possible_chains"])
	}
}
