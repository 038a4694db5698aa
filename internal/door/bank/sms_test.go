package bank_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// emailLogin is the whole e-mail chain in customer B.
func (k *bank) emailLogin(hdr []string) map[string]any {
	k.t.Helper()
	s2 := k.customer(custB, hdr)
	k.ok(k.Do("POST", "/auth/oauth/otp?factor=OTP_EMAIL", nil, bearer(s2)...), 200)
	code := sixDigits.FindString(k.Mail.Next(k.t, testenv.MailTimeout).Text)
	return k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_EMAIL", "otp", code), hdr...), 200)
}

// Without an SMS gateway the DIRECTOR role ([["OTP_SMS"],["TOTP"]], a
// trusted device may skip) has no chain Ann can pass (no authenticator):
// step 2 is refused, except on a trusted device, which still skips.
func TestWithoutAnSMSGatewayATrustedDeviceStillSkipsAndOtherDevicesAreRefusedAtStep2(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b, func(c *config.Config) { c.SMSURL = "" })
		fp := []string{"Device-Fingerprint", "fp-ann-tablet"}
		full := k.emailLogin(fp)
		k.ok(k.Do("POST", "/auth/oauth/devices", nil, append(bearer(full), fp...)...), 201)

		s1 := k.ok(k.login(k.email), 200)
		refused := k.oauthErr(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA))), 400, "invalid_grant")
		if !strings.Contains(refused["error_description"].(string), "no SMS gateway") {
			t.Fatalf("step 2 on an untrusted device: %v", refused)
		}

		s1 = k.ok(k.login(k.email, fp...), 200)
		s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA)), fp...), 200)
		if s2["can_skip"] != true || fmt.Sprint(s2["possible_chains"]) != "[]" {
			t.Fatalf("step 2 on the trusted device: can_skip %v, possible_chains %v", s2["can_skip"], s2["possible_chains"])
		}
		s3 := k.ok(k.step(s2, q("grant_type", "otp", "factor", "DEVICE"), fp...), 200)
		if s3["chain_type"] != "DEVICE" {
			t.Fatalf("skip: %v", s3)
		}
	})
}
