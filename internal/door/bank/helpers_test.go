package bank_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	adminToken = "test-admin-token"
	webBasic   = "Basic V0VCOg==" // WEB: — the published API's header
	password   = "correct horse battery"
	iin        = "900101300126" // check digit valid (see core's IIN tests)
	custA      = 111111
	custB      = 222222
)

// bank is a running server with one user in two customers: A under the
// DIRECTOR role ([["OTP_SMS"],["TOTP"]], a trusted device may skip) and B
// under ACCOUNTANT ([["OTP_EMAIL"]]).
type bank struct {
	*testenv.Env
	t      *testing.T
	pub    *rsa.PublicKey
	email  string
	userID float64
}

func newBank(t *testing.T, b testenv.Backend, edit ...func(*config.Config)) *bank {
	t.Helper()
	e := testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) {
		c.AdminToken = adminToken
		for _, f := range edit {
			f(c)
		}
	}})
	k := &bank{Env: e, t: t, email: "ann@bank.test"}
	k.pub = k.publicKey()
	admin := []string{"Authorization", "Bearer " + adminToken}
	u := k.ok(e.Do("POST", "/admin/v1/users", map[string]any{"email": k.email, "password": password, "name": "Ann", "email_confirmed": true}, admin...), 201)
	k.userID = u["id"].(float64)
	k.ok(e.Do("PUT", "/admin/v1/users/"+k.email+"/bank-profile", map[string]any{"iin": iin, "phone": "+77011234567"}, admin...), 200)
	dir := k.ok(e.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "DIRECTOR", "chains": [][]string{{"OTP_SMS"}, {"TOTP"}}, "device_skip": true}, admin...), 201)
	acc := k.ok(e.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "ACCOUNTANT", "chains": [][]string{{"OTP_EMAIL"}}}, admin...), 201)
	k.ok(e.Do("POST", "/admin/v1/customers", map[string]any{"id": custA, "name": `ТОО "Test"`, "external_id": "EXT-1"}, admin...), 201)
	k.ok(e.Do("POST", "/admin/v1/customers", map[string]any{"id": custB, "name": "ИП Test"}, admin...), 201)
	k.ok(e.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", custA, k.email), map[string]any{"role_id": dir["id"]}, admin...), 200)
	k.ok(e.Do("PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", custB, k.email), map[string]any{"role_id": acc["id"]}, admin...), 200)
	return k
}

func (k *bank) publicKey() *rsa.PublicKey {
	r := k.Do("GET", "/auth/oauth/public-key", nil)
	blk, _ := pem.Decode(r.Body)
	if r.Status != 200 || blk == nil || blk.Type != "PUBLIC KEY" {
		k.t.Fatalf("public key: %d %q", r.Status, r.Body)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		k.t.Fatal(err)
	}
	return pub.(*rsa.PublicKey)
}

// enc encrypts as WebCrypto does (RSA-OAEP, SHA-256), standard base64.
func (k *bank) enc(s string) string {
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, k.pub, []byte(s), nil)
	if err != nil {
		k.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

// ok fails unless the answer has the status, and returns its JSON object.
func (k *bank) ok(r *testenv.Response, status int) map[string]any {
	k.t.Helper()
	if r.Status != status {
		k.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.Map(k.t)
}

// oauthErr fails unless the answer is an RFC 6749 error with the status and code.
func (k *bank) oauthErr(r *testenv.Response, status int, code string) map[string]any {
	k.t.Helper()
	m := k.ok(r, status)
	if m["error"] != code || m["error_description"] == "" {
		k.t.Fatalf("error %v, want %s: %s", m["error"], code, r.Body)
	}
	return m
}

// token posts to the token endpoint with the query as the published API's curl
// sends it (raw, unescaped base64: '+' arrives as a space) and a {} body.
func (k *bank) token(query string, hdr ...string) *testenv.Response {
	k.t.Helper()
	return k.Do("POST", "/auth/oauth/token?"+query, "{}", hdr...)
}

// login is step 1 with the published API's client.
func (k *bank) login(username string, hdr ...string) *testenv.Response {
	k.t.Helper()
	q := "grant_type=Password&user_type=customer&username=" + k.enc(username) + "&password=" + k.enc(password)
	return k.token(q, append([]string{"Authorization", webBasic}, hdr...)...)
}

// step posts a later step with the previous step's token as Bearer.
func (k *bank) step(tok map[string]any, query string, hdr ...string) *testenv.Response {
	k.t.Helper()
	return k.token(query, append([]string{"Authorization", "Bearer " + tok["access_token"].(string)}, hdr...)...)
}

func bearer(tok map[string]any) []string {
	return []string{"Authorization", "Bearer " + tok["access_token"].(string)}
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// smsCode sends an SMS code for the step token and reads it from the phone.
func (k *bank) smsCode(tok map[string]any) string {
	k.t.Helper()
	k.ok(k.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, bearer(tok)...), 200)
	msg := k.SMS.Next(k.t)
	m := sixDigits.FindStringSubmatch(msg.Text)
	if msg.Phone != "+77011234567" || m == nil {
		k.t.Fatalf("sms %+v carries no code", msg)
	}
	return m[1]
}

func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}
