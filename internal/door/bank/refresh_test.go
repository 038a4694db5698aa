package bank_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A refresh token works only at the door and client that opened its
// session, and a refusal spends nothing: each case below presents a token
// where it does not belong, lets the grace window pass, and the owner's
// own refresh still works (a spent token would now be taken for reuse).

func (k *bank) refresh(token string, basic string) *testenv.Response {
	k.t.Helper()
	return k.token(q("grant_type", "refresh_token", "refresh_token", token), "Authorization", basic)
}

func (k *bank) platformRefresh(token string) *testenv.Response {
	k.t.Helper()
	return k.Do("POST", "/v1/auth/refresh", map[string]string{"token": token})
}

func (k *bank) pastGrace() {
	k.Clock.Advance(k.Config.RequestTimeout + k.Config.RefreshGrace + time.Second)
}

func TestThePlatformDoorRefusesABankRefreshTokenAndSpendsNothing(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		full := k.fullLogin(nil)
		r := k.platformRefresh(full["refresh_token"].(string))
		if r.Status != 401 || r.Map(t)["error"] != "invalid_token" {
			t.Fatalf("platform refresh of a bank token: %d %s", r.Status, r.Body)
		}
		k.pastGrace()
		next := k.ok(k.refresh(full["refresh_token"].(string), webBasic), 200)
		if next["chain_type"] != "OTP_SMS" {
			t.Fatalf("bank refresh after the refusal: %v", next)
		}
	})
}

func TestTheBankDoorRefusesAPlatformRefreshTokenAndSpendsNothing(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	r := k.Do("POST", "/v1/auth/login", map[string]string{"username": k.email, "password": password})
	if r.Status != 200 {
		t.Fatalf("platform login: %d %s", r.Status, r.Body)
	}
	tok := r.Map(t)["refresh_token"].(string)
	k.oauthErr(k.refresh(tok, webBasic), 400, "invalid_grant")
	k.pastGrace()
	if r := k.platformRefresh(tok); r.Status != 200 {
		t.Fatalf("platform refresh after the bank's refusal: %d %s", r.Status, r.Body)
	}
}

func TestAnotherClientCanNeitherRefreshNorRevokeAClientsToken(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	cl := k.ok(k.Do("POST", "/admin/v1/clients", map[string]any{"id": "APP", "confidential": true},
		"Authorization", "Bearer "+adminToken), 201)
	app := "Basic " + base64.StdEncoding.EncodeToString([]byte("APP:"+cl["secret"].(string)))
	full := k.fullLogin(nil)
	tok := full["refresh_token"].(string)
	k.oauthErr(k.refresh(tok, app), 400, "invalid_grant")
	k.ok(k.Do("POST", "/auth/oauth/revoke?"+q("token", tok), "{}", "Authorization", app), 200) // ignored (RFC 7009 §2.2)
	k.pastGrace()
	k.ok(k.refresh(tok, webBasic), 200)
}

// A half-finished chain (after step 1, after step 2) never refreshes: not
// at the platform door, and not at the bank door either, where its step
// token already lives as long as the step. The refusal leaves the chain
// going.
func TestAPendingSessionNeverRefreshes(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		s1 := k.ok(k.login(k.email), 200)
		if r := k.platformRefresh(s1["refresh_token"].(string)); r.Status != 401 || r.Map(t)["error"] != "invalid_token" {
			t.Fatalf("platform refresh of a step-1 token: %d %s", r.Status, r.Body)
		}
		k.oauthErr(k.refresh(s1["refresh_token"].(string), webBasic), 400, "invalid_grant")
		k.pastGrace()
		s2 := k.ok(k.step(s1, q("grant_type", "customer", "customer_id", "111111")), 200)
		if r := k.platformRefresh(s2["refresh_token"].(string)); r.Status != 401 {
			t.Fatalf("platform refresh of a step-2 token: %d %s", r.Status, r.Body)
		}
		k.oauthErr(k.refresh(s2["refresh_token"].(string), webBasic), 400, "invalid_grant")
		full := k.ok(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", k.smsCode(s2))), 200)
		k.ok(k.Do("GET", "/auth/oauth/devices", nil, bearer(full)...), 200)
	})
}
