package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// auditFaultStore fails the next audit row once armed: every change of
// the bank and cashdesk doors writes one in its transaction.
type auditFaultStore struct {
	sqlstore.Backend
	armed *atomic.Bool
}

func (f auditFaultStore) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	return f.Backend.Tx(ctx, func(tx sqlstore.Backend) error { return fn(auditFaultStore{tx, f.armed}) })
}

func (f auditFaultStore) InsertAudit(ctx context.Context, e *identity.AuditEvent) error {
	if f.armed.CompareAndSwap(true, false) {
		return &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
	}
	return f.Backend.InsertAudit(ctx, e)
}

// OpenSession writes a sign-in's audit row with the rest: when armed, it
// is written and then fails (failedOpening).
func (f auditFaultStore) OpenSession(ctx context.Context, o *identity.SessionOpening) (bool, error) {
	return failedOpening(ctx, f.Backend, o, func(bool) error {
		if f.armed.CompareAndSwap(true, false) {
			return &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
		}
		return nil
	})
}

// scanRun collects what a run sent and got: the secrets that crossed the
// wire and the error answers.
type scanRun struct {
	e           *testenv.Env
	secrets     []string
	errorBodies []string
	logOnly     []string // secrets an error answer carries by design (an mfa_token): never in the log
	totpSecret  string
}

func (s *scanRun) do(method, path string, body any, hdr ...string) *testenv.Response {
	r := s.e.Do(method, path, body, hdr...)
	if r.Status >= 400 {
		s.errorBodies = append(s.errorBodies, string(r.Body))
	}
	return r
}

func (s *scanRun) secret(v string) string { s.secrets = append(s.secrets, v); return v }

// pairOf records a bank answer's tokens as secrets and returns them.
func (s *scanRun) pairOf(t *testing.T, r *testenv.Response) (access, refresh string) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("bank step: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	return s.secret(m["access_token"].(string)), s.secret(m["refresh_token"].(string))
}

// TestNoBankOrCashdeskSecretReachesTheLogsOrTheErrors is the log scan of
// logscan_test.go for the bank and cashdesk doors: credential ciphertexts
// (fresh, replayed, undecryptable), passwords, SMS and TOTP codes, TOTP
// secrets, recovery codes, step and refresh tokens, a client secret, a
// device fingerprint, an mfa_token and its codes, cashdesk bearer tokens,
// API keys and an uploaded private key, with lockouts, limits and a
// database failure on the way.
func TestNoBankOrCashdeskSecretReachesTheLogsOrTheErrors(t *testing.T) {
	var logs lockedBuffer
	armed := &atomic.Bool{}
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		c.RateLimits, c.RateLimitRules = "on", "bank_user=100/6/0,login=100/6/0"
		c.LockoutPairThreshold, c.LockoutAccountThreshold = 3, 100
	}, func(o *testenv.Options) {
		o.Log = &logs
		o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return auditFaultStore{s, armed} }
	})
	s := &scanRun{e: e}
	password := s.secret("lu's bank password")
	b := newBankUser(t, e, "lu@example.com", password)
	s.bankFlow(t, b, password, armed)
	s.cashdeskFlow(t, password)

	text := logs.String()
	for _, route := range []string{`route="POST /auth/oauth/token"`, `route="POST /api/v2/authenticate"`, "dependency unavailable"} {
		if !strings.Contains(text, route) {
			t.Fatalf("the run logged too little (%s) to be a fair test:\n%s", route, text)
		}
	}
	scanForSecrets(t, text, s.secrets, s.errorBodies)
	scanForSecrets(t, text, s.logOnly, nil)
}

func (s *scanRun) bankFlow(t *testing.T, b *bankFixture, password string, armed *atomic.Bool) {
	step1 := func(username, pw string, hdr ...string) *testenv.Response {
		q := url.Values{"grant_type": {"password"}, "user_type": {"customer"},
			"username": {s.secret(b.enc(t, username))}, "password": {s.secret(b.enc(t, pw))}}
		return s.do("POST", "/auth/oauth/token?"+q.Encode(), "{}", append([]string{"Authorization", webBasic}, hdr...)...)
	}
	for i := 0; i < 4; i++ { // wrong passwords, then the backoff
		step1("lu@example.com", s.secret(fmt.Sprintf("bank guess %d", i)), from("203.0.113.7", "bot")...)
	}
	encU, encP := s.secret(b.enc(t, "lu@example.com")), s.secret(b.enc(t, password))
	q := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {encU}, "password": {encP}}.Encode()
	s1, _ := s.pairOf(t, s.do("POST", "/auth/oauth/token?"+q, "{}", "Authorization", webBasic))
	s.do("POST", "/auth/oauth/token?"+q, "{}", "Authorization", webBasic) // a replay
	s.do("POST", "/auth/oauth/token?grant_type=password&user_type=customer&username="+s.secret("bm90LWEtY2lwaGVydGV4dA")+
		"&password="+s.secret("YW5vdGhlci1vbmU"), "{}", "Authorization", webBasic)

	fp := []string{"Device-Fingerprint", s.secret("fp-lu-laptop-5f1e2d")}
	s2, _ := s.pairOf(t, s.do("POST", "/auth/oauth/token?grant_type=customer&customer_id="+fmt.Sprint(bankCustomer), "{}", append(bearer(s1), fp...)...))
	code := s.secret(b.sendSMS(t, s2))
	wrong := s.secret(fmt.Sprintf("%06d", (atoiOr(code)+7)%1000000))
	s.do("POST", "/auth/oauth/token?grant_type=otp&factor=OTP_SMS&otp="+wrong, "{}", bearer(s2)...)
	full, refresh := s.pairOf(t, s.do("POST", "/auth/oauth/token?grant_type=otp&factor=OTP_SMS&otp="+code, "{}", append(bearer(s2), fp...)...))
	s.do("POST", "/auth/oauth/devices", nil, append(bearer(full), fp...)...)
	s.do("GET", "/auth/oauth/devices", nil, bearer(s.secret("forged.step.token"))...)

	s.do("POST", "/auth/oauth/totp?password="+url.QueryEscape(s.secret(b.enc(t, "not lu's password"))), nil, bearer(full)...)
	enrol := s.do("POST", "/auth/oauth/totp?password="+url.QueryEscape(s.secret(b.enc(t, password))), nil, bearer(full)...).Map(t)
	secret := s.secret(enrol["secret"].(string))
	s.totpSecret = secret
	s.secret(enrol["otpauth_url"].(string))
	s.do("POST", "/auth/oauth/totp/confirm?otp="+s.secret("000000"), nil, bearer(full)...)
	totpCode, _ := totp.GenerateCode(secret, s.e.Clock.Now())
	rec := s.do("POST", "/auth/oauth/totp/confirm?otp="+s.secret(totpCode), nil, bearer(full)...).Map(t)
	for _, c := range rec["recovery_codes"].([]any) {
		s.secret(c.(string))
	}

	// A confidential client, right and wrong secrets; refresh, reuse, revoke.
	cl := s.do("POST", "/admin/v1/clients", map[string]any{"id": "APP", "confidential": true}, bearer(adminToken)...).Map(t)
	appBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte("APP:"+s.secret(cl["secret"].(string))))
	s.do("POST", "/auth/oauth/token?grant_type=refresh_token&refresh_token=x", "{}", "Authorization",
		"Basic "+base64.StdEncoding.EncodeToString([]byte("APP:"+s.secret("not-the-client-secret"))))
	s.pairOf(t, s.do("POST", "/auth/oauth/token?grant_type=refresh_token&refresh_token="+url.QueryEscape(refresh), "{}", "Authorization", webBasic))
	s.e.Clock.Advance(time.Minute) // past the refresh grace: a reuse
	s.do("POST", "/auth/oauth/token?grant_type=refresh_token&refresh_token="+url.QueryEscape(refresh), "{}", "Authorization", webBasic)
	s.do("POST", "/auth/oauth/revoke?token="+url.QueryEscape(full), "{}", "Authorization", appBasic)
	s.do("POST", "/auth/oauth/revoke?token="+url.QueryEscape(full), "{}", "Authorization", webBasic)

	armed.Store(true) // a database failure in the middle of step 1
	if r := step1("lu@example.com", password); r.Status != 503 {
		t.Fatalf("fault: %d %s", r.Status, r.Body)
	}
	s.e.Clock.Advance(time.Minute)
}

func atoiOr(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func (s *scanRun) cashdeskFlow(t *testing.T, password string) {
	auth := func(pw string) *testenv.Response {
		return s.do("POST", "/api/v2/authenticate", map[string]string{"email": "lu@example.com", "password": pw})
	}
	auth(s.secret("cashdesk guess"))
	// The TOTP enrolled on the bank door is asked for here too.
	var mfa struct {
		Token string `json:"mfa_token"`
	}
	auth(password).JSON(t, &mfa)
	s.logOnly = append(s.logOnly, mfa.Token)
	second := func(otp string) *testenv.Response {
		return s.do("POST", "/api/v2/authenticate", map[string]string{"mfa_token": mfa.Token, "otp": s.secret(otp)})
	}
	code, _ := totp.GenerateCode(s.totpSecret, s.e.Clock.Now())
	second(fmt.Sprintf("%06d", (atoiOr(code)+7)%1000000)) // the third failure from here: a backoff
	s.e.Clock.Advance(time.Minute)
	code, _ = totp.GenerateCode(s.totpSecret, s.e.Clock.Now())
	r := second(code)
	tok := strings.TrimPrefix(r.Map(t)["token"].(string), "Bearer ")
	cash := bearer(s.secret(tok))
	key := s.secret(s.do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, cash...).Map(t)["key"].(string))
	s.do("GET", "/api/v2/profile", nil, "X-API-Key", key)
	s.do("GET", "/api/v2/profile", nil, "X-API-Key", s.secret(identity.APIKeyPrefix+"forged0123456789abcdef0123456789abcdef"))
	s.do("PUT", "/api/v2/profile/certificate", string(certtest.Load("cashier.pem")), append(cash, "Content-Type", "application/x-pem-file")...)
	// A cashier who uploads a private key by mistake: refused, and not logged.
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	s.secret(base64.StdEncoding.EncodeToString(der)[:40])
	if r := s.do("PUT", "/api/v2/profile/certificate", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		append(cash, "Content-Type", "application/x-pem-file")...); r.Status != 400 {
		t.Fatalf("private key upload: %d %s", r.Status, r.Body)
	}
	keys := s.do("GET", "/api/v2/api-keys", nil, cash...).Map(t)["keys"].([]any)
	s.do("DELETE", "/api/v2/api-keys/"+keys[0].(map[string]any)["id"].(string), nil, cash...)
	s.do("GET", "/api/v2/profile", nil, "Authorization", "Bearer "+key) // revoked
	s.do("POST", "/api/v2/logout", nil, cash...)
	s.do("GET", "/api/v2/profile", nil, cash...)
}
