package server_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Factors belong to the account (SECURITY.md "Second factors"): a TOTP
// enrolled on the bank door is asked for by the platform login and the
// cashdesk authenticate, after the right password only.

// mfaUser is a bank customer user who enrolled an authenticator app on
// the bank door.
type mfaUser struct {
	email, password string
	secret          string
	recovery        []string
}

// enrolOnBank makes email a bank user, signs in through the SMS chain and
// enrols TOTP on /auth/oauth/totp; the clock then moves past the step that
// confirmed it.
func enrolOnBank(t *testing.T, e *testenv.Env, email, password string) mfaUser {
	t.Helper()
	b := newBankUser(t, e, email, password)
	s2 := b.toStep2(t, email, password)
	code := b.sendSMS(t, s2)
	full := accessOf(t, b.grant(s2, url.Values{"grant_type": {"otp"}, "otp": {code}}))
	r := e.Do("POST", "/auth/oauth/totp?password="+url.QueryEscape(b.enc(t, password)), nil, bearer(full)...)
	if r.Status != 200 {
		t.Fatalf("bank totp: %d %s", r.Status, r.Body)
	}
	secret := r.Map(t)["secret"].(string)
	r = e.Do("POST", "/auth/oauth/totp/confirm?otp="+totpCode(t, e, secret), nil, bearer(full)...)
	if r.Status != 200 {
		t.Fatalf("bank totp confirm: %d %s", r.Status, r.Body)
	}
	var rec []string
	for _, c := range r.Map(t)["recovery_codes"].([]any) {
		rec = append(rec, c.(string))
	}
	e.Clock.Advance(30 * time.Second)
	return mfaUser{email: email, password: password, secret: secret, recovery: rec}
}

// nextTOTPWindow moves the clock past the per-user window of TOTP tries
// (five per 15 minutes, successes included), so that a test's next door
// starts afresh.
func nextTOTPWindow(e *testenv.Env) { e.Clock.Advance(15*time.Minute + time.Second) }

func totpCode(t *testing.T, e *testenv.Env, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func cashdeskAuth(e *testenv.Env, body map[string]string, hdr ...string) *testenv.Response {
	return e.Do("POST", "/api/v2/authenticate", body, append([]string{"Accept", "application/json"}, hdr...)...)
}

// signIn is the first call on a door: the platform login or the cashdesk authenticate.
type signIn func(e *testenv.Env, email, password string, hdr ...string) *testenv.Response

var signIns = map[string]struct {
	first  signIn
	second func(e *testenv.Env, token, otp string, hdr ...string) *testenv.Response
	ok     func(t *testing.T, r *testenv.Response) // a normal sign-in answer
}{
	"platform": {
		first: func(e *testenv.Env, email, password string, hdr ...string) *testenv.Response {
			return loginAs(e, email, password, hdr...)
		},
		second: func(e *testenv.Env, token, otp string, hdr ...string) *testenv.Response {
			return e.Do("POST", "/v1/auth/login", map[string]string{"mfa_token": token, "otp": otp}, hdr...)
		},
		ok: func(t *testing.T, r *testenv.Response) {
			t.Helper()
			if r.Status != 200 || r.Map(t)["access_token"] == nil || r.Map(t)["refresh_token"] == nil {
				t.Fatalf("platform sign-in: %d %s", r.Status, r.Body)
			}
		},
	},
	"cashdesk": {
		first: func(e *testenv.Env, email, password string, hdr ...string) *testenv.Response {
			return cashdeskAuth(e, map[string]string{"email": email, "password": password}, hdr...)
		},
		second: func(e *testenv.Env, token, otp string, hdr ...string) *testenv.Response {
			return cashdeskAuth(e, map[string]string{"mfa_token": token, "otp": otp}, hdr...)
		},
		ok: func(t *testing.T, r *testenv.Response) {
			t.Helper()
			if r.Status != 200 || !strings.HasPrefix(fmt.Sprint(r.Map(t)["token"]), "Bearer ") {
				t.Fatalf("cashdesk sign-in: %d %s", r.Status, r.Body)
			}
		},
	},
}

// mfaRequired fails unless r is the mfa_required answer; it returns the token.
func mfaRequired(t *testing.T, r *testenv.Response, factors ...string) string {
	t.Helper()
	var body struct {
		Error    string   `json:"error"`
		MFAToken string   `json:"mfa_token"`
		Factors  []string `json:"factors"`
	}
	if r.Status != 401 {
		t.Fatalf("want 401 mfa_required, got %d %s", r.Status, r.Body)
	}
	r.JSON(t, &body)
	if body.Error != "mfa_required" || len(body.MFAToken) < 32 || !slices.Equal(body.Factors, factors) {
		t.Fatalf("want mfa_required with factors %v, got %s", factors, r.Body)
	}
	return body.MFAToken
}

func TestAFactorEnrolledOnTheBankDoorIsAskedForOnlyAfterTheRightPassword(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		newBankUser(t, e, "bob@example.com", "bob's password") // no factor
		for door, d := range signIns {
			t.Run(door, func(t *testing.T) {
				e := e.For(t)
				// A wrong password answers as it does for an account without factors.
				same(t, "wrong password", d.first(e, u.email, "a wrong password"), d.first(e, "bob@example.com", "a wrong password"))
				r := d.first(e, u.email, u.password)
				if strings.Contains(string(r.Body), "access_token") || strings.Contains(string(r.Body), "Bearer ") {
					t.Fatalf("tokens before the second factor: %s", r.Body)
				}
				mfaRequired(t, r, "totp", "recovery_code")
				// The account without factors signs in with its password, as before.
				d.ok(t, d.first(e, "bob@example.com", "bob's password"))
			})
		}
		events := types(auditEvents(t, e, "&user=ann@example.com&type=login."))
		if n := strings.Count(strings.Join(events, ","), "login.mfa_required"); n != 2 || slices.Contains(events[len(events)-4:], "login.succeeded") {
			t.Fatalf("audit of the password step: %v", events)
		}
	})
}

func TestTheSecondCallWithATOTPCodeGivesTheDoorsSignInAnswer(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		for door, d := range signIns {
			t.Run(door, func(t *testing.T) {
				e := e.For(t)
				tok := mfaRequired(t, d.first(e, u.email, u.password), "totp", "recovery_code")
				code := totpCode(t, e, u.secret)
				d.ok(t, d.second(e, tok, code))
				// The token is spent, and the code too (the same step, a new token).
				if r := d.second(e, tok, code); r.Status != 401 || errorCode(t, r) != "invalid_mfa_token" {
					t.Fatalf("spent mfa_token: %d %s", r.Status, r.Body)
				}
				tok = mfaRequired(t, d.first(e, u.email, u.password), "totp", "recovery_code")
				if r := d.second(e, tok, code); r.Status != 400 || errorCode(t, r) != "invalid_otp" {
					t.Fatalf("a TOTP code used twice: %d %s", r.Status, r.Body)
				}
				e.Clock.Advance(30 * time.Second)
				d.ok(t, d.second(e, tok, totpCode(t, e, u.secret)))
				nextTOTPWindow(e)
			})
		}
	})
}

func TestARecoveryCodeCompletesOneSignInAndIsSpentOnEveryDoor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		// Spent on one door, spent on the other: one set of codes per account.
		for i, doors := range [][2]string{{"platform", "cashdesk"}, {"cashdesk", "platform"}} {
			spend, retry := signIns[doors[0]], signIns[doors[1]]
			rec := u.recovery[i]
			tok := mfaRequired(t, spend.first(e, u.email, u.password), "totp", "recovery_code")
			spend.ok(t, spend.second(e, tok, strings.ToUpper(rec))) // as typed from paper
			tok = mfaRequired(t, retry.first(e, u.email, u.password), "totp", "recovery_code")
			if r := retry.second(e, tok, rec); r.Status != 400 || errorCode(t, r) != "invalid_otp" {
				t.Fatalf("%s: a recovery code spent on the %s door: %d %s", doors[1], doors[0], r.Status, r.Body)
			}
		}
	})
}

func TestWrongSecondFactorCodesFeedTheLockout(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, lockout(3, 100))
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		for door, d := range signIns {
			t.Run(door, func(t *testing.T) {
				e := e.For(t)
				ip := from("203.0.113.7", "thief")
				if door == "cashdesk" {
					ip = from("203.0.113.8", "thief")
				}
				tok := mfaRequired(t, d.first(e, u.email, u.password, ip...), "totp", "recovery_code")
				for i := range 3 {
					if r := d.second(e, tok, fmt.Sprintf("%06d", i), ip...); r.Status != 400 || errorCode(t, r) != "invalid_otp" {
						t.Fatalf("wrong code %d: %d %s", i, r.Status, r.Body)
					}
				}
				// The third failure started a backoff: even the right code waits, and so does the password.
				r := d.second(e, tok, totpCode(t, e, u.secret), ip...)
				if r.Status != 429 || errorCode(t, r) != "too_many_attempts" || r.Header.Get("Retry-After") != "60" {
					t.Fatalf("code in backoff: %d %s %q", r.Status, r.Body, r.Header.Get("Retry-After"))
				}
				if r := d.first(e, u.email, u.password, ip...); r.Status != 429 {
					t.Fatalf("password in backoff: %d %s", r.Status, r.Body)
				}
				// After the wait, the right code gets in and clears the counter.
				e.Clock.Advance(61 * time.Second)
				d.ok(t, d.second(e, tok, totpCode(t, e, u.secret), ip...))
				if r := d.first(e, u.email, "a wrong password", ip...); r.Status != 401 {
					t.Fatalf("after the sign-in, one failure is not a backoff: %d %s", r.Status, r.Body)
				}
				nextTOTPWindow(e)
			})
		}
		failed := auditEvents(t, e, "&user=ann@example.com&type=factor.failed")
		if len(failed) != 6 {
			t.Fatalf("factor.failed events: %d, want 6", len(failed))
		}
	})
}

func TestTheRightPasswordAloneClearsNoFailureCounter(t *testing.T) {
	e := newEnv(t, testenv.SQLite, lockout(3, 100))
	u := enrolOnBank(t, e, "ann@example.com", "ann's password")
	ip := from("203.0.113.7", "thief")
	for i := range 2 {
		if r := loginAs(e, u.email, fmt.Sprint("guess ", i), ip...); r.Status != 401 {
			t.Fatalf("guess %d: %d", i, r.Status)
		}
	}
	mfaRequired(t, loginAs(e, u.email, u.password, ip...), "totp", "recovery_code")
	if r := loginAs(e, u.email, "guess 3", ip...); r.Status != 401 {
		t.Fatalf("third guess: %d", r.Status)
	}
	if r := loginAs(e, u.email, u.password, ip...); r.Status != 429 {
		t.Fatalf("the password step cleared the counter: %d %s", r.Status, r.Body)
	}
}

func TestAnMFATokenIsShortLivedBoundToItsDoorAndBounded(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, lockout(100, 100))
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		plat, cash := signIns["platform"], signIns["cashdesk"]
		refused := func(what string, r *testenv.Response) {
			t.Helper()
			if r.Status != 401 || errorCode(t, r) != "invalid_mfa_token" {
				t.Fatalf("%s: %d %s", what, r.Status, r.Body)
			}
		}
		// Another door's token.
		tok := mfaRequired(t, plat.first(e, u.email, u.password), "totp", "recovery_code")
		refused("platform token at the cashdesk", cash.second(e, tok, totpCode(t, e, u.secret)))
		// An unknown one.
		refused("unknown token", plat.second(e, strings.Repeat("A", 43), totpCode(t, e, u.secret)))
		// An expired one.
		e.Clock.Advance(5*time.Minute + time.Second)
		refused("expired token", plat.second(e, tok, totpCode(t, e, u.secret)))
		// Five wrong codes spend a token.
		tok = mfaRequired(t, plat.first(e, u.email, u.password), "totp", "recovery_code")
		for i := range 5 {
			if r := plat.second(e, tok, fmt.Sprintf("%06d", i)); r.Status != 400 {
				t.Fatalf("wrong code %d: %d %s", i, r.Status, r.Body)
			}
		}
		refused("exhausted token", plat.second(e, tok, totpCode(t, e, u.secret)))
		// A password change ends the tokens issued before it.
		nextTOTPWindow(e)
		tok = mfaRequired(t, plat.first(e, u.email, u.password), "totp", "recovery_code")
		pair := mustSecondFactor(t, e, u)
		r := e.Do("POST", "/api/v2/password", map[string]string{"current_password": u.password, "new_password": "ann's new password"},
			"Authorization", "Bearer "+pair)
		if r.Status != 204 {
			t.Fatalf("password change: %d %s", r.Status, r.Body)
		}
		e.Clock.Advance(30 * time.Second)
		refused("token from before a password change", plat.second(e, tok, totpCode(t, e, u.secret)))
		// Malformed second calls are refused, naming the field.
		for _, body := range []map[string]string{{"mfa_token": tok}, {"mfa_token": tok, "otp": "123456", "password": u.password}} {
			r := e.Do("POST", "/v1/auth/login", body)
			if r.Status != 400 || r.Map(t)["field"] == nil {
				t.Fatalf("%v: %d %s", body, r.Status, r.Body)
			}
		}
	})
}

// mustSecondFactor signs u in on the cashdesk door with a TOTP code and
// returns the bare access token.
func mustSecondFactor(t *testing.T, e *testenv.Env, u mfaUser) string {
	t.Helper()
	d := signIns["cashdesk"]
	tok := mfaRequired(t, d.first(e, u.email, u.password), "totp", "recovery_code")
	r := d.second(e, tok, totpCode(t, e, u.secret))
	d.ok(t, r)
	return strings.TrimPrefix(r.Map(t)["token"].(string), "Bearer ")
}

func TestConcurrentSecondCallsWithOneTokenOpenOneSession(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		tok := mfaRequired(t, loginAs(e, u.email, u.password), "totp", "recovery_code")
		code := totpCode(t, e, u.secret)
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- e.DoRaw("POST", "/v1/auth/login", map[string]string{"mfa_token": tok, "otp": code}).Status
			}()
		}
		wg.Wait()
		close(statuses)
		ok := 0
		for s := range statuses {
			switch s {
			case 200:
				ok++
			case 400, 401: // the code or the token already spent
			default:
				t.Errorf("a concurrent second call answered %d", s)
			}
		}
		if ok != 1 {
			t.Fatalf("%d second calls got tokens, want exactly 1", ok)
		}
		sessions := 0
		for _, ev := range auditEvents(t, e, "&user="+u.email+"&type=login.") {
			if ev["type"] == "login.succeeded" && ev["detail"].(map[string]any)["door"] == "platform" {
				sessions++
			}
		}
		if sessions != 1 {
			t.Fatalf("%d platform sessions opened, want 1", sessions)
		}
	})
}
