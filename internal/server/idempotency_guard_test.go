package server_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A replay never skips the authorisation the first request needed: the
// endpoint's checks run before its Idempotency-Key is looked up, so a
// caller they refuse gets their refusal, not the kept answer (which, for
// an API key, carries its secret).

// TestAReplayedKeyCreationMeetsTheChecksTheFirstRequestMet creates a key
// from a fresh sign-in with an Idempotency-Key, then sends the same
// request as the same user with that key's own secret, and with the same
// access token once its sign-in is older than GATEHOUSE_REAUTH_MAX_AGE:
// each is refused as it would be without the header, and the secret is not
// handed out again.
func TestAReplayedKeyCreationMeetsTheChecksTheFirstRequestMet(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "pat@example.com", "pat's password")
		tok := bearer(mustLogin(t, e, "pat@example.com", "pat's password").AccessToken)
		body := map[string]any{"name": "till"}
		first := e.Do("POST", "/api/v2/api-keys", body, append(tok, key("till-1")...)...)
		if first.Status != 201 {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		secret := first.Map(t)["key"].(string)

		for _, cred := range [][]string{{"X-API-Key", secret}, bearer(secret)} {
			r := e.Do("POST", "/api/v2/api-keys", body, append(cred, key("till-1")...)...)
			if r.Status != 403 || errorCode(t, r) != "api_key_not_allowed" || r.Header.Get(replayed) != "" {
				t.Fatalf("the replay with the key itself (%s): %d %s", cred[0], r.Status, r.Body)
			}
		}
		e.Clock.Advance(e.Config.ReauthMaxAge + 1e9) // the access token lives on; its sign-in is stale
		r := e.Do("POST", "/api/v2/api-keys", body, append(tok, key("till-1")...)...)
		if r.Status != 401 || errorCode(t, r) != "reauthentication_required" || r.Header.Get(replayed) != "" {
			t.Fatalf("the replay from a stale sign-in: %d %s", r.Status, r.Body)
		}
		// The password re-entered meets the check, as it would without the header.
		pw := map[string]any{"name": "till", "password": "pat's password"}
		if r := e.Do("POST", "/api/v2/api-keys", pw, append(tok, key("till-2")...)...); r.Status != 201 {
			t.Fatalf("a stale sign-in with the password: %d %s", r.Status, r.Body)
		}
		if r := e.Do("POST", "/api/v2/api-keys", pw, append(tok, key("till-2")...)...); r.Status != 201 || r.Header.Get(replayed) != "true" {
			t.Fatalf("its replay with the password: %d %s", r.Status, r.Body)
		}
		wrong := map[string]any{"name": "till", "password": "not pat's password"}
		if r := e.Do("POST", "/api/v2/api-keys", wrong, append(tok, key("till-2")...)...); r.Status != 401 || errorCode(t, r) != "invalid_credentials" {
			t.Fatalf("the key with a wrong password: %d %s", r.Status, r.Body)
		}
	})
}

// TestAReplayedBankOTPMeetsTheStepChecks sends a code with an
// Idempotency-Key, then changes the role the login started under: the same
// request again is refused as a role change (and the step session ends),
// not answered with the kept reply.
func TestAReplayedBankOTPMeetsTheStepChecks(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		bk := newBankUser(t, e, "quin@example.com", "quin's password")
		s2 := bk.toStep2(t, "quin@example.com", "quin's password")
		send := func() *testenv.Response {
			return e.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, append(bearer(s2), key("otp-1")...)...)
		}
		if r := send(); r.Status != 200 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
		admin := bearer(adminToken)
		role := e.Do("GET", "/admin/v1/customer-roles", nil, admin...).Map(t)["roles"].([]any)[0].(map[string]any)
		if r := e.Do("PUT", fmt.Sprintf("/admin/v1/customer-roles/%v", role["id"]),
			map[string]any{"code": "SIGNER", "chains": [][]string{{"OTP_SMS"}, {"OTP_EMAIL"}}}, admin...); r.Status != 200 {
			t.Fatalf("change the role: %d %s", r.Status, r.Body)
		}
		r := send()
		if r.Status != 400 || r.Map(t)["error"] != "invalid_grant" || r.Header.Get(replayed) != "" {
			t.Fatalf("the replay after the role changed: %d %s", r.Status, r.Body)
		}
	})
}
