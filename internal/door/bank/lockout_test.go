package bank_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// auditTypes lists the audit log's event types for the query, oldest first.
func (k *bank) auditTypes(query string) []string {
	k.t.Helper()
	m := k.ok(k.Do("GET", "/admin/v1/audit?limit=500&"+query, nil, "Authorization", "Bearer "+adminToken), 200)
	var out []string
	for _, ev := range m["events"].([]any) {
		out = append(out, ev.(map[string]any)["type"].(string))
	}
	slices.Reverse(out)
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestWrongCodesCountTowardTheLockoutLikeWrongPasswords(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b, func(c *config.Config) {
			c.LockoutPairThreshold, c.LockoutPairBackoff, c.LockoutPairBackoffMax = 3, time.Minute, time.Hour
		})
		s2 := k.customer(custA, nil)
		code := k.smsCode(s2)
		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
		for range 3 {
			k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", wrong)), 400, "invalid_grant")
		}
		// Now this IP waits, even with the right code, before it is judged.
		r := k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code))
		k.oauthErr(r, 429, "too_many_attempts")
		if r.Header.Get("Retry-After") != "60" {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// The codes share the password's counters: step 1 waits too.
		k.oauthErr(k.login(k.email), 429, "too_many_attempts")
		k.Clock.Advance(61 * time.Second)
		// The refusal spent none of the code's tries: it still works.
		k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code)), 200)

		got := k.auditTypes("user=" + k.email + "&type=factor.")
		if count(got, "factor.failed") != 3 || count(got, "factor.passed") != 1 {
			t.Fatalf("factor events %v", got)
		}
		if got := k.auditTypes("user=" + k.email + "&type=lockout.pair"); len(got) != 1 {
			t.Fatalf("lockout.pair events %v", got)
		}
		// The completed chain cleared this IP's failures: three more wrong
		// codes are needed before the next wait.
		s2 = k.customer(custA, nil)
		k.Clock.Advance(time.Minute)
		code = k.smsCode(s2)
		for range 2 {
			k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", wrong)), 400, "invalid_grant")
		}
		k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code)), 200)
	})
}

func TestAnAccountLockedByWrongCodesIsMailedAndRefusesEvenTheRightCode(t *testing.T) {
	k := newBank(t, testenv.SQLite, func(c *config.Config) {
		c.LockoutPairThreshold, c.LockoutAccountThreshold, c.LockoutAccountDuration = 0, 3, 15*time.Minute
	})
	s2 := k.customer(custA, nil)
	code := k.smsCode(s2)
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	for range 3 {
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", wrong)), 400, "invalid_grant")
	}
	m := k.Mail.Next(t, testenv.MailTimeout)
	if m.To != k.email || !strings.Contains(m.Subject, "locked") {
		t.Fatalf("lock mail to %s: %q", m.To, m.Subject)
	}
	k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code)), 429, "too_many_attempts")
}

func TestEveryBankStepIsAudited(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	k.oauthErr(k.token("grant_type=password&user_type=customer&username="+k.enc(k.email)+"&password="+k.enc("wrong"),
		"Authorization", webBasic), 400, "invalid_grant")
	fp := []string{"Device-Fingerprint", "fp-audit"}
	full := k.fullLogin(fp)
	dev := k.ok(k.Do("POST", "/auth/oauth/devices", nil, append(bearer(full), fp...)...), 201)
	k.ok(k.Do("DELETE", "/auth/oauth/devices/"+dev["id"].(string), nil, bearer(full)...), 204)
	got := strings.Join(k.auditTypes("user="+k.email), ",")
	want := "login.failed,login.succeeded,bank.customer_chosen,factor.passed,device.trusted,device.removed"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("audit %s\nwant it to end with %s", got, want)
	}
}

func TestTheLockoutAnswersKnownAndUnknownIINsAlike(t *testing.T) {
	k := newBank(t, testenv.SQLite, func(c *config.Config) {
		c.LockoutPairThreshold, c.LockoutPairBackoff, c.LockoutPairBackoffMax = 2, time.Minute, time.Hour
	})
	const unknownIIN = "900101300136" // valid check digit, nobody's
	for _, username := range []string{iin, unknownIIN} {
		for range 2 {
			q := "grant_type=password&user_type=customer&username=" + k.enc(username) + "&password=" + k.enc("a guess")
			k.oauthErr(k.token(q, "Authorization", webBasic), 400, "invalid_grant")
		}
		k.oauthErr(k.login(username), 429, "too_many_attempts")
	}
}
