package cluster_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

const bankCustomer = 777100

// bankOTPRace takes a bank customer user through steps 1 and 2 on
// alternating nodes, has an e-mail code sent, and races it: one step 3
// passes.
func bankOTPRace(t *testing.T, c *cluster, a, b *node) {
	u := newClient(t, a, "198.51.100.10", "jon@example.com")
	setUpBankUser(t, a, u)
	pub := credentialKey(t, b)
	enc := func(s string) string {
		ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, []byte(s), nil)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(ct)
	}
	token := func(n *node, q url.Values, auth ...string) answer {
		return n.do(t, "POST", "/auth/oauth/token?"+q.Encode(), "{}", u.hdr(auth...)...)
	}
	r := token(a, url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {enc(u.email)}, "password": {enc(u.passwd)}},
		"Authorization", "Basic V0VCOg==") // the public client WEB
	if r.status != 200 {
		t.Fatalf("step 1 with credentials encrypted with %s's key, on %s: %d %s", b.name, a.name, r.status, r.body)
	}
	r = token(b, url.Values{"grant_type": {"customer"}, "customer_id": {fmt.Sprint(bankCustomer)}}, bearer(r.json(t)["access_token"].(string))...)
	if r.status != 200 {
		t.Fatalf("step 2: %d %s", r.status, r.body)
	}
	step := bearer(r.json(t)["access_token"].(string))
	if r := a.do(t, "POST", "/auth/oauth/otp?factor=OTP_EMAIL", nil, u.hdr(step...)...); r.status != 200 {
		t.Fatalf("send the code: %d %s", r.status, r.body)
	}
	m := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(c.mail.NextTo(t, u.email, 30*time.Second).Text)
	if m == nil {
		t.Fatal("the code mail carries no code")
	}
	onceOnEach(t, "the bank door's e-mail code", a, b, func(n *node) answer {
		return token(n, url.Values{"grant_type": {"otp"}, "factor": {"OTP_EMAIL"}, "otp": {m[1]}}, step...)
	})
}

// setUpBankUser makes u a member of bankCustomer under a role whose one
// chain is an e-mail code (the nodes have no SMS gateway).
func setUpBankUser(t *testing.T, n *node, u client) {
	t.Helper()
	must := func(r answer, status int) answer {
		t.Helper()
		if r.status != status {
			t.Fatalf("bank setup: %d %s", r.status, r.body)
		}
		return r
	}
	must(n.do(t, "PUT", "/admin/v1/users/"+u.email+"/bank-profile", map[string]any{"iin": testenv.IINFor(u.email), "phone": "+77011234567"}, admin...), 200)
	role := must(n.do(t, "POST", "/admin/v1/customer-roles", map[string]any{"code": "MAILED", "chains": [][]string{{"OTP_EMAIL"}}}, admin...), 201)
	must(n.do(t, "POST", "/admin/v1/customers", map[string]any{"id": bankCustomer, "name": "Cluster LLP"}, admin...), 201)
	must(n.do(t, "PUT", fmt.Sprintf("/admin/v1/customers/%d/members/%s", bankCustomer, u.email), map[string]any{"role_id": role.json(t)["id"]}, admin...), 200)
}

// credentialKey is the RSA key n hands out to encrypt credentials with.
func credentialKey(t *testing.T, n *node) *rsa.PublicKey {
	t.Helper()
	pub, err := testenv.CredentialKey(n.do(t, "GET", "/auth/oauth/public-key", nil).body)
	if err != nil {
		t.Fatalf("public key of %s: %v", n.name, err)
	}
	return pub
}
