package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The bank door (the bank API) as the abuse tests need it: one customer user
// in one company whose role asks for an SMS code.

const (
	bankCustomer = 777001
	webBasic     = "Basic V0VCOg=="
)

type bankFixture struct {
	e   *testenv.Env
	pub *rsa.PublicKey
}

// newBankUser makes email a bank customer user with password, a member of
// bankCustomer under a role of one factor, OTP_SMS. The first call on an
// environment creates the role and the customer.
func newBankUser(t testing.TB, e *testenv.Env, email, password string) *bankFixture {
	t.Helper()
	admin := bearer(adminToken)
	must := func(r *testenv.Response, status int) map[string]any {
		t.Helper()
		if r.Status != status {
			t.Fatalf("bank setup: %d %s", r.Status, r.Body)
		}
		return r.Map(t)
	}
	must(e.Do("POST", "/admin/v1/users", map[string]any{"email": email, "password": password, "email_confirmed": true}, admin...), 201)
	must(e.Do("PUT", "/admin/v1/users/"+email+"/bank-profile", map[string]any{"iin": iinFor(email), "phone": "+77011234567"}, admin...), 200)
	roleID := any(nil)
	if r := e.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "SIGNER", "chains": [][]string{{"OTP_SMS"}}}, admin...); r.Status == 201 {
		roleID = r.Map(t)["id"]
		must(e.Do("POST", "/admin/v1/customers", map[string]any{"id": bankCustomer, "name": "Test LLP"}, admin...), 201)
	} else {
		list := must(e.Do("GET", "/admin/v1/customer-roles", nil, admin...), 200)
		roleID = list["roles"].([]any)[0].(map[string]any)["id"]
	}
	must(e.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", bankCustomer, email), map[string]any{"role_id": roleID}, admin...), 200)
	return newBankFixture(t, e)
}

// newBankFixture reads the bank door's credential key.
func newBankFixture(t testing.TB, e *testenv.Env) *bankFixture {
	t.Helper()
	return &bankFixture{e: e, pub: parsePEM(t, e.Do("GET", "/auth/oauth/public-key", nil).Body)}
}

// parsePEM reads the RSA public key of a public-key answer.
func parsePEM(t testing.TB, text []byte) *rsa.PublicKey {
	t.Helper()
	pub, err := testenv.CredentialKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// iinFor makes a valid IIN that differs per e-mail.
func iinFor(email string) string { return testenv.IINFor(email) }

// enc encrypts as WebCrypto does (RSA-OAEP, SHA-256), URL-safe base64.
func (b *bankFixture) enc(t testing.TB, s string) string {
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, b.pub, []byte(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(ct)
}

// step1 is grant_type=password with the published API's public client.
func (b *bankFixture) step1(t testing.TB, username, password string, hdr ...string) *testenv.Response {
	q := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {b.enc(t, username)}, "password": {b.enc(t, password)}}
	return b.e.Do("POST", "/auth/oauth/token?"+q.Encode(), "{}", append([]string{"Authorization", webBasic}, hdr...)...)
}

// grant posts a later step with tok as Bearer.
func (b *bankFixture) grant(tok string, q url.Values, hdr ...string) *testenv.Response {
	return b.e.Do("POST", "/auth/oauth/token?"+q.Encode(), "{}", append(bearer(tok), hdr...)...)
}

func accessOf(t testing.TB, r *testenv.Response) string {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("step: %d %s", r.Status, r.Body)
	}
	return r.Map(t)["access_token"].(string)
}

// toStep2 runs steps 1 and 2 and returns the step-2 token.
func (b *bankFixture) toStep2(t testing.TB, email, password string, hdr ...string) string {
	t.Helper()
	s1 := accessOf(t, b.step1(t, email, password, hdr...))
	return accessOf(t, b.grant(s1, url.Values{"grant_type": {"customer"}, "customer_id": {fmt.Sprint(bankCustomer)}}, hdr...))
}

var smsCodeRe = regexp.MustCompile(`\b(\d{6})\b`)

// sendSMS asks for a code for the step-2 token and reads it from the phone.
func (b *bankFixture) sendSMS(t testing.TB, tok string, hdr ...string) string {
	t.Helper()
	if r := b.e.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, append(bearer(tok), hdr...)...); r.Status != 200 {
		t.Fatalf("send otp: %d %s", r.Status, r.Body)
	}
	m := smsCodeRe.FindStringSubmatch(b.e.SMS.Next(t).Text)
	if m == nil {
		t.Fatal("the SMS carries no code")
	}
	return m[1]
}
