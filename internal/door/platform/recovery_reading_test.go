package platform_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheRecoveryCodeIsCheckedAtConfirmAndResentByResendEmail: the
// published API's recovery reading of confirm/{code} and resendEmail,
// beside Gatehouse's sign-up reading (docs/platform.md).
func TestTheRecoveryCodeIsCheckedAtConfirmAndResentByResendEmail(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, testenv.Options{Backend: b})
		signUp(t, e, "ida@example.com", "first password")
		if r := e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "ida@example.com"}); r.Status != 200 {
			t.Fatalf("restore: %d %s", r.Status, r.Body)
		}
		first := e.Mail.Next(t, testenv.MailTimeout).Secret(t)

		// Checked twice: valid, and not spent by the check.
		for i := 0; i < 2; i++ {
			if r := e.Do("GET", "/v1/user/confirm/"+first, nil); r.Status != 200 || r.Map(t)["status"] != "reset_code_valid" {
				t.Fatalf("confirm with the recovery code (%d): %d %s", i, r.Status, r.Body)
			}
		}

		// A reset is pending: resendEmail mails a new recovery code (not a
		// confirmation), and the first one stops working.
		e.Clock.Advance(e.Config.MailResendInterval)
		if r := e.Do("POST", "/v1/user/resendEmail", map[string]string{"email": "ida@example.com"}); r.Status != 200 || r.Map(t)["email"] != "ida@example.com" {
			t.Fatalf("resend: %d %s", r.Status, r.Body)
		}
		m := e.Mail.Next(t, testenv.MailTimeout)
		second := m.Secret(t)
		if second == first {
			t.Fatal("resendEmail mailed the same code")
		}
		if r := e.Do("GET", "/v1/user/confirm/"+first, nil); r.Status != 400 || r.Map(t)["error"] != "invalid_or_expired_code" {
			t.Fatalf("the superseded recovery code at confirm: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/user/confirm/"+second, nil); r.Status != 200 || r.Map(t)["status"] != "reset_code_valid" {
			t.Fatalf("the resent recovery code at confirm: %d %s", r.Status, r.Body)
		}

		// The resent code is the reset's token; once spent, confirm refuses
		// it and resendEmail (no reset pending, the address confirmed)
		// mails nothing.
		if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": second, "password": "second password"}); r.Status != 200 {
			t.Fatalf("reset with the resent code: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/user/confirm/"+second, nil); r.Status != 400 {
			t.Fatalf("a spent recovery code at confirm: %d %s", r.Status, r.Body)
		}
		e.Mail.Next(t, testenv.MailTimeout) // the reset's notice
		e.Clock.Advance(e.Config.MailResendInterval)
		if r := e.Do("POST", "/v1/user/resendEmail", map[string]string{"email": "ida@example.com"}); r.Status != 200 {
			t.Fatalf("resend after the reset: %d %s", r.Status, r.Body)
		}
		e.Mail.None(t)
		login(t, e, "ida@example.com", "second password")
	})
}

// TestARecoveryCodeExpiresAtConfirmToo: the check answers as the reset
// would, so an expired code is refused at both.
func TestARecoveryCodeExpiresAtConfirmToo(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	signUp(t, e, "jo@example.com", "first password")
	e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "jo@example.com"})
	token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	e.Clock.Advance(e.Config.ResetTTL)
	if r := e.Do("GET", "/v1/user/confirm/"+token, nil); r.Status != 400 || r.Map(t)["error"] != "invalid_or_expired_code" {
		t.Fatalf("an expired recovery code at confirm: %d %s", r.Status, r.Body)
	}
}
