package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const smsToken = "sms-gateway-token-5b2e"

// smsGateway is an operator's SMS gateway as the server sees it: an HTTP
// server that keeps every request and answers each with the next of its
// scripted statuses, 200 once they are spent.
type smsGateway struct {
	*httptest.Server
	mu     sync.Mutex
	script []int
	got    chan gatewayRequest
}

type gatewayRequest struct {
	Method, Path, Authorization string
	Body                        map[string]any
	Status                      int // what the gateway answered
}

func newSMSGateway(t *testing.T, script ...int) *smsGateway {
	g := &smsGateway{script: script, got: make(chan gatewayRequest, 16)}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		req := gatewayRequest{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Status: 200}
		_ = json.Unmarshal(raw, &req.Body)
		g.mu.Lock()
		if len(g.script) > 0 {
			req.Status, g.script = g.script[0], g.script[1:]
		}
		g.mu.Unlock()
		w.WriteHeader(req.Status)
		g.got <- req
	}))
	t.Cleanup(g.Close)
	return g
}

// next returns the gateway's next request, failing the test when none
// comes: the outbox delivers at once when woken.
func (g *smsGateway) next(t *testing.T) gatewayRequest {
	t.Helper()
	select {
	case r := <-g.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the SMS gateway received nothing")
		return gatewayRequest{}
	}
}

// withGateway configures the server to send texts to g.
func withGateway(g *smsGateway) func(*config.Config) {
	return func(c *config.Config) { c.SMSURL, c.SMSToken = g.URL+"/v1/sms", smsToken }
}

func TestAnSMSChainCompletesWithTheCodeTheGatewayReceived(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		gw := newSMSGateway(t, 503) // down for the first attempt
		var logs syncBuffer
		e := newEnv(t, b, withGateway(gw), func(o *testenv.Options) { o.Log = &logs })
		bank := newBankUser(t, e, "sms@bank.test", "sms user's password")
		tok := bank.toStep2(t, "sms@bank.test", "sms user's password")
		if r := e.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, bearer(tok)...); r.Status != 200 {
			t.Fatalf("send otp: %d %s", r.Status, r.Body)
		}
		first := gw.next(t)
		code := smsCodeRe.FindStringSubmatch(fmt.Sprint(first.Body["text"]))
		if first.Method != "POST" || first.Path != "/v1/sms" || first.Authorization != "Bearer "+smsToken ||
			first.Body["to"] != "+77011234567" || code == nil || first.Body["id"] == "" || len(first.Body) != 3 {
			t.Fatalf("the gateway received %+v", first)
		}
		checkSealedAtRest(t, e, code[1])

		// The gateway recovers; the retry is due after the backoff.
		e.Clock.Advance(time.Minute)
		if err := e.Srv.FlushSMS(context.Background()); err != nil {
			t.Fatal(err)
		}
		again := gw.next(t)
		if again.Status != 200 || again.Body["id"] != first.Body["id"] || again.Body["text"] != first.Body["text"] || again.Body["to"] != first.Body["to"] {
			t.Fatalf("the retry %+v differs from the first attempt %+v", again.Body, first.Body)
		}

		r := bank.grant(tok, url.Values{"grant_type": {"otp"}, "factor": {"OTP_SMS"}, "otp": {code[1]}})
		if r.Status != 200 {
			t.Fatalf("step 3 with the gateway's code: %d %s", r.Status, r.Body)
		}
		if m := r.Map(t); m["chain_type"] != "OTP_SMS" || m["passed_auth_factors"] == nil {
			t.Fatalf("step 3: %s", r.Body)
		}
		if e.SMS.Len() != 0 {
			t.Fatal("a text reached the test's in-memory phone instead of the gateway")
		}
		if !strings.Contains(logs.String(), "delivery failed") {
			t.Fatalf("the gateway's 503 was not logged:\n%s", logs.String())
		}
		for _, secret := range []string{code[1], smsToken} {
			if strings.Contains(logs.String(), secret) {
				t.Fatalf("the log carries %q:\n%s", secret, logs.String())
			}
		}
	})
}

// checkSealedAtRest fails unless the queued text is an SMS row whose body
// is sealed: the code is not readable in the database.
func checkSealedAtRest(t *testing.T, e *testenv.Env, code string) {
	t.Helper()
	var channel, to string
	var sealed []byte
	err := e.Store.(*sqlstore.Store).DB().QueryRow(`SELECT channel, to_addr, sealed FROM outbox WHERE kind = 'otp_sms'`).
		Scan(&channel, &to, &sealed)
	if err != nil {
		t.Fatal(err)
	}
	if channel != "sms" || to != "+77011234567" || len(sealed) == 0 || bytes.Contains(sealed, []byte(code)) {
		t.Fatalf("outbox row: channel %q, to %q, sealed %q; want the text sealed", channel, to, sealed)
	}
}

func TestWithoutAnSMSGatewayTheBankDoorNeverOffersOrSendsSMS(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		var logs syncBuffer
		e := newEnv(t, b, func(c *config.Config) { c.SMSURL = "" }, func(o *testenv.Options) { o.Log = &logs })
		if n := strings.Count(logs.String(), "no SMS gateway"); n != 1 {
			t.Fatalf("the start-up log warns %d times of the missing gateway, want once:\n%s", n, logs.String())
		}
		bank := newBankUser(t, e, "nosms@bank.test", "no sms password") // role SIGNER: [[OTP_SMS]]
		admin := bearer(adminToken)
		mixed := e.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "MIXED", "chains": [][]string{{"OTP_SMS"}, {"OTP_EMAIL"}}}, admin...)
		if mixed.Status != 201 {
			t.Fatalf("role: %d %s", mixed.Status, mixed.Body)
		}
		if r := e.Do("POST", "/admin/v1/customers", map[string]any{"id": 777002, "name": "Mixed LLP"}, admin...); r.Status != 201 {
			t.Fatalf("customer: %d %s", r.Status, r.Body)
		}
		if r := e.Do("PUT", "/admin/v1/customers/777002/members/nosms@bank.test", map[string]any{"role_id": mixed.Map(t)["id"]}, admin...); r.Status != 200 {
			t.Fatalf("membership: %d %s", r.Status, r.Body)
		}
		s1 := accessOf(t, bank.step1(t, "nosms@bank.test", "no sms password"))

		// The SMS-only role: refused at step 2, never a session without a factor.
		r := bank.grant(s1, url.Values{"grant_type": {"customer"}, "customer_id": {fmt.Sprint(bankCustomer)}})
		wantOAuthError(t, r, 400, "invalid_grant", "no SMS gateway")

		// The mixed role: only the e-mail chain is possible; its policy still lists both.
		r = bank.grant(s1, url.Values{"grant_type": {"customer"}, "customer_id": {"777002"}})
		s2 := accessOf(t, r)
		m := r.Map(t)
		if fmt.Sprint(m["possible_chains"]) != "[[OTP_EMAIL]]" || len(m["roles_auth_factors"].([]any)) != 2 || m["otp_strategy"] != "EMAIL" {
			t.Fatalf("step 2: possible_chains %v, roles_auth_factors %v, otp_strategy %v", m["possible_chains"], m["roles_auth_factors"], m["otp_strategy"])
		}
		wantOAuthError(t, e.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, bearer(s2)...), 400, "invalid_grant", "no SMS gateway")
		wantOAuthError(t, bank.grant(s2, url.Values{"grant_type": {"otp"}, "factor": {"OTP_SMS"}, "otp": {"123456"}}), 400, "invalid_grant", "no SMS gateway")

		var queued int
		if err := e.Store.(*sqlstore.Store).DB().QueryRow(`SELECT COUNT(*) FROM outbox WHERE channel = 'sms'`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued != 0 || e.SMS.Len() != 0 {
			t.Fatalf("%d texts queued, %d sent without a gateway", queued, e.SMS.Len())
		}
		roles := e.Do("GET", "/admin/v1/customer-roles", nil, admin...)
		if !strings.Contains(string(roles.Body), `[["OTP_SMS"]]`) {
			t.Fatalf("the SMS-only role's policy changed: %s", roles.Body)
		}
	})
}

// wantOAuthError fails unless r is an RFC 6749 error with the status and
// code whose description says says.
func wantOAuthError(t *testing.T, r *testenv.Response, status int, code, says string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	m := r.Map(t)
	if m["error"] != code || !strings.Contains(fmt.Sprint(m["error_description"]), says) {
		t.Fatalf("answer %s, want error %s saying %q", r.Body, code, says)
	}
}
