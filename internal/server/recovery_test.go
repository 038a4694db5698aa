package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A stolen access token must not become permanent access: minting an API
// key or an external token needs a recent sign-in or the password, a key
// never mints another, and a password reset takes away every session, key
// and trusted device the thief may have left behind.

// quiet turns off the new-device mail, so that the mails a test reads are
// the ones it causes.
func quiet(edit ...func(*config.Config)) func(*config.Config) {
	return func(c *config.Config) {
		c.NewDeviceMail = false
		for _, f := range edit {
			f(c)
		}
	}
}

const partnerTokenPath = "/v1/auth/token?audience=https%3A%2F%2Fpartner.example"

func wantCode(t *testing.T, what string, r *testenv.Response, status int, code string) {
	t.Helper()
	if r.Status != status || errorCode(t, r) != code {
		t.Fatalf("%s: %d %s, want %d %s", what, r.Status, r.Body, status, code)
	}
}

func mintKey(e *testenv.Env, hdr []string, body map[string]any) *testenv.Response {
	return e.Do("POST", "/api/v2/api-keys", body, hdr...)
}

func TestMintingAKeyOrAnExternalTokenNeedsARecentSignIn(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, quiet())
		signUp(t, e, "ray@example.com", "ray's password")
		p := mustLogin(t, e, "ray@example.com", "ray's password")
		cash := cashdeskSignIn(t, e, "ray@example.com", "ray's password")

		// Six minutes later the tokens still work, and a refresh gives a
		// new access token; but the sign-in behind them is old.
		e.Clock.Advance(6 * time.Minute)
		var p2 pair
		r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken})
		r.JSON(t, &p2)
		for _, tok := range []string{p.AccessToken, p2.AccessToken} {
			r := e.Do("POST", partnerTokenPath, nil, bearer(tok)...)
			wantCode(t, "external token from an old sign-in", r, 401, "reauthentication_required")
			if h := r.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="insufficient_user_authentication"`) {
				t.Fatalf("challenge %q, want RFC 9470's insufficient_user_authentication", h)
			}
		}
		wantCode(t, "key from an old sign-in", mintKey(e, cash, map[string]any{"name": "thief's key"}), 401, "reauthentication_required")
		if keys := e.Do("GET", "/api/v2/api-keys", nil, cash...).Map(t)["keys"].([]any); len(keys) != 0 {
			t.Fatalf("a key was made: %v", keys)
		}
		var sessions []map[string]any
		e.Do("GET", "/v1/user/sessions", nil, bearer(p2.AccessToken)...).JSON(t, &sessions)
		for _, s := range sessions {
			if s["door"] == "external" {
				t.Fatalf("an external session was made: %v", sessions)
			}
		}

		// A fresh sign-in mints, and the owner hears of each.
		fresh := mustLogin(t, e, "ray@example.com", "ray's password", from("198.51.100.40", "Firefox")...)
		if r := e.Do("POST", partnerTokenPath, nil, append(bearer(fresh.AccessToken), from("198.51.100.40", "Firefox")...)...); r.Status != 200 {
			t.Fatalf("external token after a fresh sign-in: %d %s", r.Status, r.Body)
		}
		m := e.Mail.Next(t, testenv.MailTimeout)
		if m.To != "ray@example.com" || !strings.Contains(m.Subject, "another service") ||
			!strings.Contains(m.Text, "https://partner.example") || !strings.Contains(m.Text, "198.51.100.40") {
			t.Fatalf("external token mail to %s: %q\n%s", m.To, m.Subject, m.Text)
		}
		cash = cashdeskSignIn(t, e, "ray@example.com", "ray's password")
		e.Clock.Advance(5 * time.Minute) // the max age itself is still recent
		r = mintKey(e, cash, map[string]any{"name": "till software"})
		if r.Status != 201 {
			t.Fatalf("key at the max age: %d %s", r.Status, r.Body)
		}
		m = e.Mail.Next(t, testenv.MailTimeout)
		if !strings.Contains(m.Subject, "API key") || !strings.Contains(m.Text, "till software") || !strings.Contains(m.Text, r.Map(t)["prefix"].(string)) {
			t.Fatalf("key mail: %q\n%s", m.Subject, m.Text)
		}
		e.Clock.Advance(time.Second)
		wantCode(t, "a second past the max age", mintKey(e, cash, map[string]any{"name": "late"}), 401, "reauthentication_required")
	})
}

func TestAPasswordReentryLetsAnOlderSessionMintAndWrongOnesCountBeforeHashing(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		counter := newCounter(t)
		e := newEnv(t, b, quiet(lockout(2, 100)), func(o *testenv.Options) { o.Hasher = counter })
		signUp(t, e, "sue@example.com", "sue's password")
		at := from("203.0.113.20", "till")
		cash := append(cashdeskSignIn(t, e, "sue@example.com", "sue's password", at...), at...)
		p := mustLogin(t, e, "sue@example.com", "sue's password", at...)
		e.Clock.Advance(time.Hour)
		var p2 pair
		e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}).JSON(t, &p2)
		platform := append(bearer(p2.AccessToken), at...)

		wantCode(t, "key with a wrong password", mintKey(e, cash, map[string]any{"name": "till", "password": "guess"}), 401, "invalid_credentials")
		wantCode(t, "external token with a wrong password", e.Do("POST", partnerTokenPath, map[string]string{"password": "guess"}, platform...), 401, "invalid_credentials")
		// Two wrong re-entries are two failed sign-ins: the backoff is on,
		// for a re-entry and a sign-in alike, before any hashing.
		before := counter.work()
		r := mintKey(e, cash, map[string]any{"name": "till", "password": "sue's password"})
		wantCode(t, "the right password inside the backoff", r, 429, "too_many_attempts")
		if r.Header.Get("Retry-After") != "60" {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		wantCode(t, "sign-in inside the backoff", loginAs(e, "sue@example.com", "sue's password", at...), 429, "too_many_attempts")
		if w := counter.work() - before; w != 0 {
			t.Fatalf("%d hashes inside the backoff", w)
		}
		if got := types(auditEvents(t, e, "&user=sue@example.com&type=reauth.failed")); len(got) != 2 {
			t.Fatalf("reauth.failed events: %v", got)
		}

		e.Clock.Advance(61 * time.Second)
		if r := mintKey(e, cash, map[string]any{"name": "till", "password": "sue's password"}); r.Status != 201 {
			t.Fatalf("key with the password: %d %s", r.Status, r.Body)
		}
		if r := e.Do("POST", partnerTokenPath, map[string]string{"password": "sue's password"}, platform...); r.Status != 200 {
			t.Fatalf("external token with the password: %d %s", r.Status, r.Body)
		}
	})
}

func TestAnAPIKeyNeverMintsAKeyOrAnExternalToken(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		counter := newCounter(t)
		e := newEnv(t, b, quiet(), func(o *testenv.Options) { o.Hasher = counter })
		signUp(t, e, "vic@example.com", "vic's password")
		cash := cashdeskSignIn(t, e, "vic@example.com", "vic's password")
		var keys []string
		for _, body := range []map[string]any{{"name": "everything"}, {"name": "key manager", "scopes": []string{"cashdesk", "keys", "platform"}}} {
			r := mintKey(e, cash, body)
			if r.Status != 201 {
				t.Fatalf("key %v: %d %s", body, r.Status, r.Body)
			}
			keys = append(keys, r.Map(t)["key"].(string))
		}
		before := counter.work()
		for _, k := range keys {
			for _, hdr := range [][]string{bearer(k), {"X-API-Key", k}} {
				wantCode(t, "a key minting a key", mintKey(e, hdr, map[string]any{"name": "child", "password": "vic's password"}), 403, "api_key_not_allowed")
				wantCode(t, "a key minting an external token", e.Do("POST", partnerTokenPath, map[string]string{"password": "vic's password"}, hdr...), 403, "api_key_not_allowed")
			}
		}
		if w := counter.work() - before; w != 0 {
			t.Fatalf("refusing keys cost %d hashes", w)
		}
		if list := e.Do("GET", "/api/v2/api-keys", nil, cash...).Map(t)["keys"].([]any); len(list) != 2 {
			t.Fatalf("keys: %v", list)
		}
	})
}

// armed is an account as a thief who held it for a while leaves it: a
// platform session, a cashdesk session with an API key, and a bank session
// on a device trusted to skip the factors.
type armed struct {
	email, key, keyPrefix string
	platform              pair
	cash, bankFull        []string
	bank                  *bankFixture
}

const thiefDevice = "fp-thief-laptop"

func arm(t *testing.T, e *testenv.Env, email, password string) armed {
	t.Helper()
	a := armed{email: email, bank: newBankUser(t, e, email, password)}
	fp := []string{"Device-Fingerprint", thiefDevice}
	s2 := a.bank.toStep2(t, email, password, fp...)
	otp := url.Values{"grant_type": {"otp"}, "factor": {"OTP_SMS"}, "otp": {a.bank.sendSMS(t, s2, fp...)}}
	full := accessOf(t, a.bank.grant(s2, otp, fp...))
	if r := e.Do("POST", "/auth/oauth/devices?name=thief+laptop", nil, append(bearer(full), fp...)...); r.Status != 201 {
		t.Fatalf("trust the device: %d %s", r.Status, r.Body)
	}
	a.bankFull = bearer(full)
	a.platform = mustLogin(t, e, email, password)
	a.cash = cashdeskSignIn(t, e, email, password)
	r := mintKey(e, a.cash, map[string]any{"name": "till of " + email})
	if r.Status != 201 {
		t.Fatalf("key: %d %s", r.Status, r.Body)
	}
	k := r.Map(t)
	a.key, a.keyPrefix = k["key"].(string), k["prefix"].(string)
	e.Mail.Next(t, testenv.MailTimeout) // the key's notice
	return a
}

// trusted reports whether the bank's step 1 finds the thief's device trusted.
func (a armed) trusted(t *testing.T, password string) bool {
	t.Helper()
	r := a.bank.step1(t, a.email, password, "Device-Fingerprint", thiefDevice)
	if r.Status != 200 {
		t.Fatalf("bank step 1: %d %s", r.Status, r.Body)
	}
	return r.Map(t)["is_device_trusted"] == true
}

func reset(t *testing.T, e *testenv.Env, email, password string, more map[string]any) {
	t.Helper()
	e.Do("POST", "/v1/user/password/restore", map[string]string{"email": email})
	body := map[string]any{"token": e.Mail.Next(t, testenv.MailTimeout).Secret(t), "password": password}
	for k, v := range more {
		body[k] = v
	}
	if r := e.Do("POST", "/v1/user/password/reset", body); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
}

func TestAPasswordResetRevokesEverySessionKeyAndTrustedDevice(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, quiet())
		cases := []struct {
			email    string
			body     map[string]any
			keyLives bool
		}{
			{"wes@example.com", nil, false},
			{"xia@example.com", map[string]any{"revoke_api_keys": true}, false},
			{"yan@example.com", map[string]any{"revoke_api_keys": false}, true}, // a till's key survives when its owner asks
		}
		for _, c := range cases {
			a := arm(t, e, c.email, "old password 1")
			if !a.trusted(t, "old password 1") {
				t.Fatal("the device is not trusted before the reset")
			}
			reset(t, e, c.email, "new password 2", c.body)
			m := e.Mail.Next(t, testenv.MailTimeout)
			if !strings.Contains(m.Subject, "password was changed") || !strings.Contains(m.Text, "sessions signed out: ") ||
				!strings.Contains(m.Text, "trusted devices removed: thief laptop") ||
				strings.Contains(m.Text, a.keyPrefix) == c.keyLives {
				t.Fatalf("%s: the reset mail does not list what was revoked:\n%s", c.email, m.Text)
			}

			for path, hdr := range map[string][]string{"/v1/user/profile": bearer(a.platform.AccessToken), "/api/v2/profile": a.cash} {
				if r := e.Do("GET", path, nil, hdr...); r.Status != 401 {
					t.Fatalf("%s: the session of %s after the reset: %d", c.email, path, r.Status)
				}
			}
			if r := e.Do("GET", "/auth/oauth/devices", nil, a.bankFull...); r.Status != 401 {
				t.Fatalf("%s: the bank session after the reset: %d", c.email, r.Status)
			}
			if a.trusted(t, "new password 2") {
				t.Fatalf("%s: the thief's device is still trusted", c.email)
			}
			r := e.Do("GET", "/api/v2/profile", nil, "X-API-Key", a.key)
			if (r.Status == 200) != c.keyLives {
				t.Fatalf("%s: the key after the reset: %d (want it alive: %v)", c.email, r.Status, c.keyLives)
			}

			ev := auditEvents(t, e, "&user="+c.email+"&type=password.reset")
			d := fmt.Sprint(ev[len(ev)-1]["detail"])
			wantKeys := "api_keys_revoked:1"
			if c.keyLives {
				wantKeys = "api_keys_revoked:kept"
			}
			if !strings.Contains(d, wantKeys) || !strings.Contains(d, "devices_removed:1") {
				t.Fatalf("%s: password.reset detail %s", c.email, d)
			}
			if got := types(auditEvents(t, e, "&user="+c.email+"&type=device.removed")); len(got) != 1 {
				t.Fatalf("%s: device.removed events %v", c.email, got)
			}
		}
	})
}

func TestAPasswordChangeKeepsAPIKeysUnlessAsked(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, quiet())
		signUp(t, e, "zoe@example.com", "zoe's password")
		cash := cashdeskSignIn(t, e, "zoe@example.com", "zoe's password")
		r := mintKey(e, cash, map[string]any{"name": "till"})
		key, prefix := r.Map(t)["key"].(string), r.Map(t)["prefix"].(string)
		e.Mail.Next(t, testenv.MailTimeout)
		change := func(current, next string, more map[string]any) {
			t.Helper()
			body := map[string]any{"current_password": current, "new_password": next}
			for k, v := range more {
				body[k] = v
			}
			if r := e.Do("POST", "/api/v2/password", body, cash...); r.Status != 204 {
				t.Fatalf("change: %d %s", r.Status, r.Body)
			}
		}

		change("zoe's password", "zoe's second password", nil)
		if m := e.Mail.Next(t, testenv.MailTimeout); strings.Contains(m.Text, prefix) {
			t.Fatalf("the change mail lists the kept key:\n%s", m.Text)
		}
		if r := e.Do("GET", "/api/v2/profile", nil, "X-API-Key", key); r.Status != 200 {
			t.Fatalf("the key after a plain change: %d", r.Status)
		}

		change("zoe's second password", "zoe's third password", map[string]any{"revoke_api_keys": true})
		if m := e.Mail.Next(t, testenv.MailTimeout); !strings.Contains(m.Text, "API keys revoked: till ("+prefix) {
			t.Fatalf("the change mail does not list the revoked key:\n%s", m.Text)
		}
		if r := e.Do("GET", "/api/v2/profile", nil, "X-API-Key", key); r.Status != 401 {
			t.Fatalf("the key after a change that revokes keys: %d", r.Status)
		}
		if r := e.Do("GET", "/api/v2/profile", nil, cash...); r.Status != 200 {
			t.Fatalf("the changing session: %d", r.Status)
		}
	})
}

func TestTheReauthMaxAgeIsASettingAndZeroAlwaysAsksForThePassword(t *testing.T) {
	for _, maxAge := range []time.Duration{time.Minute, 0} {
		e := newEnv(t, testenv.SQLite, quiet(func(c *config.Config) { c.ReauthMaxAge = maxAge }))
		signUp(t, e, "amy@example.com", "amy's password")
		cash := cashdeskSignIn(t, e, "amy@example.com", "amy's password")
		e.Clock.Advance(maxAge)
		if r := mintKey(e, cash, map[string]any{"name": "on time"}); (r.Status == 201) != (maxAge > 0) {
			t.Fatalf("max age %v, at it: %d %s", maxAge, r.Status, r.Body)
		}
		e.Clock.Advance(time.Second)
		wantCode(t, fmt.Sprintf("max age %v, past it", maxAge), mintKey(e, cash, map[string]any{"name": "late"}), 401, "reauthentication_required")
		if r := mintKey(e, cash, map[string]any{"name": "late", "password": "amy's password"}); r.Status != 201 {
			t.Fatalf("max age %v, with the password: %d %s", maxAge, r.Status, r.Body)
		}
	}
}

func TestAnExternalTokenCannotRenewTheFreshnessOfItsSignIn(t *testing.T) {
	e := newEnv(t, testenv.SQLite, quiet())
	signUp(t, e, "bea@example.com", "bea's password")
	p := mustLogin(t, e, "bea@example.com", "bea's password")
	e.Clock.Advance(4 * time.Minute)
	var ext pair
	if r := e.Do("POST", "/v1/auth/token", nil, bearer(p.AccessToken)...); r.Status != 200 {
		t.Fatalf("external token: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &ext)
	}
	// Two minutes later the external session is young, the sign-in behind
	// it is not. (Where external tokens open no Gatehouse endpoint at all,
	// the refusal is invalid_token; either way nothing is minted.)
	e.Clock.Advance(2 * time.Minute)
	r := e.Do("POST", "/v1/auth/token", nil, bearer(ext.AccessToken)...)
	if r.Status != 401 || (errorCode(t, r) != "reauthentication_required" && errorCode(t, r) != "invalid_token") {
		t.Fatalf("an external token minting another after its parent's max age: %d %s", r.Status, r.Body)
	}
}
