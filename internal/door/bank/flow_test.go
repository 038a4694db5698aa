package bank_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// seedFields are the rows of the bank API's answer table (rows 16-19 are the
// items of roles_auth_factors, docs/bank.md).
var seedFields = []string{"access_token", "token_type", "refresh_token", "expires_in", "scope", "passed_auth_factors",
	"customer_external_id", "chain_type", "role", "created", "role_version", "cus_unique_idn", "is_password_change",
	"sign_level", "roles_auth_factors", "user_type", "suggest_add_device", "user_id", "role_id", "bank_branch_code",
	"decrypted_username", "can_skip", "is_device_trusted", "otp_strategy", "possible_chains", "customer_user_id",
	"customers", "customer_id", "digital_signature_type", "jti"}

func TestStepOneAnswersEveryFieldOfTheSeedsTable(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		a := k.ok(k.login(k.email), 200)
		var keys []string
		for name := range a {
			keys = append(keys, name)
		}
		want := append([]string{}, seedFields...)
		sort.Strings(keys)
		sort.Strings(want)
		if !reflect.DeepEqual(keys, want) {
			t.Fatalf("fields %v\nwant   %v", keys, want)
		}
		// The clock is 2026-03-14 09:26:53 UTC; Almaty is UTC+5.
		for name, want := range map[string]any{
			"token_type": "bearer", "expires_in": 900.0, "scope": "ALL", "passed_auth_factors": []any{},
			"customer_external_id": nil, "chain_type": "EMPTY", "role": "ANONYMOUS", "created": "2026-03-14T14:26:53.000",
			"role_version": 0.0, "cus_unique_idn": iin, "is_password_change": false, "sign_level": nil,
			"roles_auth_factors": []any{}, "user_type": "customer", "suggest_add_device": false, "user_id": k.userID,
			"role_id": 0.0, "bank_branch_code": nil, "decrypted_username": k.email, "can_skip": false,
			"is_device_trusted": false, "otp_strategy": "UNDEFINED", "possible_chains": []any{}, "customer_user_id": 0.0,
			"customers":   []any{map[string]any{"id": float64(custA), "name": `ТОО "Test"`}, map[string]any{"id": float64(custB), "name": "ИП Test"}},
			"customer_id": nil, "digital_signature_type": nil,
		} {
			if !reflect.DeepEqual(a[name], want) {
				t.Errorf("%s = %#v, want %#v", name, a[name], want)
			}
		}
		if _, err := uuid.Parse(a["jti"].(string)); err != nil {
			t.Errorf("jti %q is not a UUID", a["jti"])
		}
		if parts := strings.Split(a["access_token"].(string), "."); len(parts) != 3 {
			t.Errorf("access_token is not a JWT")
		}
		// The published API types refresh_token as a JWT: HS256, typ rt+jwt.
		if parts := strings.Split(a["refresh_token"].(string), "."); len(parts) != 3 {
			t.Errorf("refresh_token %q is not a JWT", a["refresh_token"])
		} else if hdr, err := base64.RawURLEncoding.DecodeString(parts[0]); err != nil || !strings.Contains(string(hdr), `"alg":"HS256"`) || !strings.Contains(string(hdr), `"typ":"rt+jwt"`) {
			t.Errorf("refresh_token header %s (%v), want HS256 and typ rt+jwt", hdr, err)
		}
	})
}

func TestTheIINIsALoginToo(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	a := k.ok(k.login(iin), 200)
	if a["decrypted_username"] != iin || a["user_id"] != k.userID {
		t.Fatalf("login by IIN: %v", a)
	}
}

func TestSMSChainCompletesTheLoginForTheChosenCustomer(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		fp := []string{"Device-Fingerprint", "fp-ann-laptop"}
		s1 := k.ok(k.login(k.email, fp...), 200)
		s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA)), fp...), 200)
		if s2["role"] != "DIRECTOR" || s2["customer_id"] != float64(custA) || s2["customer_external_id"] != "EXT-1" ||
			s2["role_version"] != 1.0 || s2["role_id"] == 0.0 || s2["customer_user_id"] == 0.0 || s2["chain_type"] != "EMPTY" {
			t.Fatalf("step 2: %v", s2)
		}
		// TOTP is not enrolled: the policy lists it, the possible chains do not.
		if fmt.Sprint(s2["possible_chains"]) != "[[OTP_SMS]]" || s2["otp_strategy"] != "SMS" || len(s2["roles_auth_factors"].([]any)) != 2 {
			t.Fatalf("step 2 chains: possible %v, strategy %v, roles_auth_factors %v", s2["possible_chains"], s2["otp_strategy"], s2["roles_auth_factors"])
		}
		item := s2["roles_auth_factors"].([]any)[1].(map[string]any)
		if fmt.Sprint(item["auth_factor_chain"]) != "[TOTP]" || item["role"].(map[string]any)["code"] != "DIRECTOR" {
			t.Fatalf("roles_auth_factors item %v", item)
		}
		code := k.smsCode(s2)
		s3 := k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code), fp...), 200)
		if s3["chain_type"] != "OTP_SMS" || fmt.Sprint(s3["passed_auth_factors"]) != "[OTP_SMS]" || s3["suggest_add_device"] != true ||
			s3["role"] != "DIRECTOR" || s3["otp_strategy"] != "UNDEFINED" {
			t.Fatalf("step 3: %v", s3)
		}
		k.ok(k.Do("GET", "/auth/oauth/devices", nil, bearer(s3)...), 200)
		k.ok(k.Do("GET", "/v1/user/profile", nil, bearer(s3)...), 200)
		// Every earlier step token died with its step.
		k.oauthErr(k.Do("GET", "/auth/oauth/devices", nil, bearer(s2)...), 401, "invalid_token")
	})
}

func TestEmailChainOfTheOtherCustomer(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	s1 := k.ok(k.login(k.email), 200)
	s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custB))), 200)
	if s2["role"] != "ACCOUNTANT" || s2["otp_strategy"] != "EMAIL" {
		t.Fatalf("step 2: %v", s2)
	}
	sent := k.ok(k.Do("POST", "/auth/oauth/otp?factor=OTP_EMAIL", nil, bearer(s2)...), 200)
	if sent["destination"] != "a***@bank.test" {
		t.Fatalf("sent %v", sent)
	}
	msg := k.Mail.Next(t, testenv.MailTimeout)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(msg.Text)
	if code == "" {
		t.Fatalf("mail carries no code: %s", msg.Text)
	}
	s3 := k.ok(k.step(s2, q("grant_type", "otp", "otp", code)), 200) // factor inferred: the only one due
	if s3["chain_type"] != "OTP_EMAIL" {
		t.Fatalf("step 3: %v", s3)
	}
}

func TestTOTPEnrolmentThenATOTPChainAndARecoveryCode(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		full := k.fullLogin(nil)
		enrol := k.ok(k.Do("POST", "/auth/oauth/totp?password="+url.QueryEscape(k.enc(password)), nil, bearer(full)...), 200)
		secret := enrol["secret"].(string)
		if !strings.HasPrefix(enrol["otpauth_url"].(string), "otpauth://totp/") {
			t.Fatalf("enrolment %v", enrol)
		}
		code, _ := totp.GenerateCode(secret, k.Clock.Now())
		rec := k.ok(k.Do("POST", "/auth/oauth/totp/confirm?otp="+code, nil, bearer(full)...), 200)["recovery_codes"].([]any)
		if len(rec) != 10 {
			t.Fatalf("recovery codes %v", rec)
		}
		s2 := k.customer(custA, nil)
		if fmt.Sprint(s2["possible_chains"]) != "[[OTP_SMS] [TOTP]]" {
			t.Fatalf("possible chains with TOTP enrolled: %v", s2["possible_chains"])
		}
		// The code that confirmed the enrolment is spent: its step is used.
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", code)), 400, "invalid_grant")
		k.Clock.Advance(30 * time.Second)
		code, _ = totp.GenerateCode(secret, k.Clock.Now())
		s3 := k.ok(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", code)), 200)
		if s3["chain_type"] != "TOTP" || fmt.Sprint(s3["passed_auth_factors"]) != "[TOTP]" {
			t.Fatalf("TOTP step: %v", s3)
		}
		s2 = k.customer(custA, nil)
		k.ok(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", rec[0].(string))), 200)
		s2 = k.customer(custA, nil)
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", rec[0].(string))), 400, "invalid_grant")
	})
}

// customer is steps 1 and 2.
func (k *bank) customer(id int, hdr []string) map[string]any {
	k.t.Helper()
	s1 := k.ok(k.login(k.email, hdr...), 200)
	return k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(id)), hdr...), 200)
}

// fullLogin is the whole SMS chain in customer A.
func (k *bank) fullLogin(hdr []string) map[string]any {
	k.t.Helper()
	s2 := k.customer(custA, hdr)
	return k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", k.smsCode(s2)), hdr...), 200)
}

func TestATrustedDeviceSkipsTheFactor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		fp := []string{"Device-Fingerprint", "fp-ann-phone"}
		full := k.fullLogin(fp)
		dev := k.ok(k.Do("POST", "/auth/oauth/devices", nil, append(bearer(full), fp...)...), 201)
		if dev["current"] != true {
			t.Fatalf("device %v", dev)
		}
		// Another device cannot be enrolled with this session.
		k.oauthErr(k.Do("POST", "/auth/oauth/devices", nil, append(bearer(full), "Device-Fingerprint", "fp-evil")...), 400, "invalid_request")

		s1 := k.ok(k.login(k.email, fp...), 200)
		if s1["is_device_trusted"] != true || s1["can_skip"] != false {
			t.Fatalf("step 1 on a trusted device: %v", s1)
		}
		s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA)), fp...), 200)
		if s2["can_skip"] != true {
			t.Fatalf("step 2: can_skip %v", s2["can_skip"])
		}
		s3 := k.ok(k.step(s2, q("grant_type", "otp", "factor", "DEVICE"), fp...), 200)
		if s3["chain_type"] != "DEVICE" || s3["suggest_add_device"] != false {
			t.Fatalf("skip: %v", s3)
		}
		// ACCOUNTANT does not allow skipping.
		b2 := k.customer(custB, fp)
		if b2["can_skip"] != false {
			t.Fatalf("ACCOUNTANT can_skip %v", b2["can_skip"])
		}
		k.oauthErr(k.step(b2, q("grant_type", "otp", "factor", "DEVICE"), fp...), 400, "invalid_grant")

		list := k.ok(k.Do("GET", "/auth/oauth/devices", nil, bearer(s3)...), 200)["devices"].([]any)
		if len(list) != 1 {
			t.Fatalf("devices %v", list)
		}
		k.ok(k.Do("DELETE", "/auth/oauth/devices/"+dev["id"].(string), nil, bearer(s3)...), 204)
		s2 = k.customer(custA, fp)
		if s2["can_skip"] != false || s2["is_device_trusted"] != false {
			t.Fatalf("after removal: %v", s2)
		}
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "DEVICE"), fp...), 400, "invalid_grant")
	})
}

func TestRefreshRotatesAndAReusedTokenKillsTheFamily(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		full := k.fullLogin(nil)
		old := full["refresh_token"].(string)
		k.Clock.Advance(time.Minute)
		next := k.ok(k.token(q("grant_type", "refresh_token", "refresh_token", old), "Authorization", webBasic), 200)
		if next["refresh_token"] == old || next["chain_type"] != "OTP_SMS" || next["role"] != "DIRECTOR" || next["created"] != "2026-03-14T14:27:53.000" {
			t.Fatalf("refreshed: %v", next)
		}
		k.ok(k.Do("GET", "/auth/oauth/devices", nil, bearer(next)...), 200)
		k.Clock.Advance(time.Minute) // past the grace window
		k.oauthErr(k.token(q("grant_type", "refresh_token", "refresh_token", old), "Authorization", webBasic), 400, "invalid_grant")
		k.oauthErr(k.token(q("grant_type", "refresh_token", "refresh_token", next["refresh_token"].(string)), "Authorization", webBasic), 400, "invalid_grant")
		k.oauthErr(k.Do("GET", "/auth/oauth/devices", nil, bearer(next)...), 401, "invalid_token")
	})
}

func TestRevokeAndLogoutEndTheSession(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	full := k.fullLogin(nil)
	k.ok(k.Do("POST", "/auth/oauth/revoke?"+q("token", full["refresh_token"].(string)), "{}", "Authorization", webBasic), 200)
	k.oauthErr(k.Do("GET", "/auth/oauth/devices", nil, bearer(full)...), 401, "invalid_token")
	k.ok(k.Do("POST", "/auth/oauth/revoke?"+q("token", "unknown"), "{}", "Authorization", webBasic), 200)
	s1 := k.ok(k.login(k.email), 200)
	k.ok(k.Do("POST", "/auth/oauth/logout", nil, bearer(s1)...), 204)
	k.oauthErr(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA))), 401, "invalid_token")
}

func TestTheCredentialKeyIsInTheJWKSForEncryption(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	keys := k.ok(k.Do("GET", "/.well-known/jwks.json", nil), 200)["keys"].([]any)
	var enc, sig int
	for _, x := range keys {
		m := x.(map[string]any)
		switch m["use"] {
		case "enc":
			enc++
			if m["alg"] != "RSA-OAEP-256" || m["kty"] != "RSA" {
				t.Errorf("enc key %v", m)
			}
		case "sig":
			sig++
		}
	}
	if enc != 1 || sig < 1 {
		t.Fatalf("JWKS has %d enc and %d sig keys: %v", enc, sig, keys)
	}
}

func TestEnrollingOrRemovingTOTPOnTheBankDoorNeedsTheEncryptedPassword(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		full := k.fullLogin(nil)
		withPassword := func(method, path, pw string) *testenv.Response {
			return k.Do(method, path+"?password="+url.QueryEscape(pw), nil, bearer(full)...)
		}
		k.oauthErr(k.Do("POST", "/auth/oauth/totp", nil, bearer(full)...), 400, "invalid_request")
		k.oauthErr(withPassword("POST", "/auth/oauth/totp", k.enc("not the password")), 400, "invalid_grant")
		k.oauthErr(withPassword("POST", "/auth/oauth/totp", "bm90LWEtY2lwaGVydGV4dA"), 400, "invalid_grant") // undecryptable
		enc := k.enc(password)
		secret := k.ok(withPassword("POST", "/auth/oauth/totp", enc), 200)["secret"].(string)
		k.oauthErr(withPassword("POST", "/auth/oauth/totp", enc), 400, "invalid_grant") // a replayed ciphertext
		code, _ := totp.GenerateCode(secret, k.Clock.Now())
		k.ok(k.Do("POST", "/auth/oauth/totp/confirm?otp="+code, nil, bearer(full)...), 200)
		if m := k.Mail.Next(t, testenv.MailTimeout); m.To != k.email || !strings.Contains(m.Subject, "authenticator app was added") {
			t.Fatalf("mail %q to %s", m.Subject, m.To)
		}
		k.oauthErr(k.Do("DELETE", "/auth/oauth/totp", nil, bearer(full)...), 400, "invalid_request")
		k.oauthErr(withPassword("DELETE", "/auth/oauth/totp", k.enc("not the password")), 400, "invalid_grant")
		if fmt.Sprint(k.customer(custA, nil)["possible_chains"]) != "[[OTP_SMS] [TOTP]]" {
			t.Fatal("a wrong password removed the authenticator")
		}
		k.ok(withPassword("DELETE", "/auth/oauth/totp", k.enc(password)), 204)
		if m := k.Mail.Next(t, testenv.MailTimeout); !strings.Contains(m.Subject, "authenticator app was removed") {
			t.Fatalf("mail %q", m.Subject)
		}
		// Every refused password was counted like a failed login (audited as a failed re-entry).
		r := k.Do("GET", "/admin/v1/audit?type=reauth.failed&user="+k.email, nil, "Authorization", "Bearer "+adminToken)
		if n := len(r.Map(t)["events"].([]any)); n != 4 {
			t.Fatalf("reauth.failed events: %d, want 4 (two wrong, one undecryptable, one replayed)", n)
		}
	})
}
