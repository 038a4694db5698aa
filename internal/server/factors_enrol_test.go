package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TOTP enrolment on every door with a signed-in user: the platform's
// /v1/user/factors…, the cashdesk's /api/v2/factors… (the bank door's is
// /auth/oauth/totp). Enrolling and removing need the current password and
// mail the owner.

// enrolDoor names a door's factor endpoints and how to sign in there.
type enrolDoor struct {
	prefix string
	signIn func(t *testing.T, e *testenv.Env, email, password string, hdr ...string) []string // the Authorization header
}

var enrolDoors = map[string]enrolDoor{
	"platform": {"/v1/user/factors", func(t *testing.T, e *testenv.Env, email, password string, hdr ...string) []string {
		return bearer(mustLogin(t, e, email, password, hdr...).AccessToken)
	}},
	"cashdesk": {"/api/v2/factors", func(t *testing.T, e *testenv.Env, email, password string, hdr ...string) []string {
		t.Helper()
		r := cashdeskAuth(e, map[string]string{"email": email, "password": password}, hdr...)
		if r.Status != 200 {
			t.Fatalf("authenticate: %d %s", r.Status, r.Body)
		}
		return []string{"Authorization", r.Map(t)["token"].(string)}
	}},
}

// mailAbout waits for the next mail to to whose subject contains about,
// skipping others (new-device notices).
func mailAbout(t *testing.T, e *testenv.Env, to, about string) string {
	t.Helper()
	for range 10 {
		m := e.Mail.Next(t, testenv.MailTimeout)
		if m.To == to && strings.Contains(m.Subject, about) {
			return m.Text
		}
	}
	t.Fatalf("no mail %q to %s", about, to)
	return ""
}

func factorList(t *testing.T, e *testenv.Env, prefix string, auth []string) ([]string, float64) {
	t.Helper()
	r := e.Do("GET", prefix, nil, auth...)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", prefix, r.Status, r.Body)
	}
	var out struct {
		Factors []string `json:"factors"`
		Left    float64  `json:"recovery_codes_left"`
	}
	r.JSON(t, &out)
	return out.Factors, out.Left
}

func TestTOTPEnrolmentOnThePlatformAndCashdeskDoorsNeedsThePasswordAndMailsTheOwner(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, lockout(100, 100))
		for door, d := range enrolDoors {
			t.Run(door, func(t *testing.T) {
				e := e.For(t)
				email, password := door+"@example.com", door+"'s password"
				signUp(t, e, email, password)
				auth := d.signIn(t, e, email, password)
				if f, _ := factorList(t, e, d.prefix, auth); len(f) != 0 {
					t.Fatalf("factors before enrolment: %v", f)
				}
				// The password is required, and must be the right one.
				if r := e.Do("POST", d.prefix+"/totp", map[string]string{}, auth...); r.Status != 400 || r.Map(t)["field"] != "password" {
					t.Fatalf("begin without a password: %d %s", r.Status, r.Body)
				}
				if r := e.Do("POST", d.prefix+"/totp", map[string]string{"password": "a wrong password"}, auth...); r.Status != 401 || errorCode(t, r) != "invalid_credentials" {
					t.Fatalf("begin with a wrong password: %d %s", r.Status, r.Body)
				}
				r := e.Do("POST", d.prefix+"/totp", map[string]string{"password": password}, auth...)
				if r.Status != 200 || !strings.HasPrefix(fmt.Sprint(r.Map(t)["otpauth_url"]), "otpauth://totp/") {
					t.Fatalf("begin: %d %s", r.Status, r.Body)
				}
				secret := r.Map(t)["secret"].(string)
				if r := e.Do("POST", d.prefix+"/totp/confirm", map[string]string{"otp": "000000"}, auth...); r.Status != 400 || errorCode(t, r) != "invalid_otp" {
					t.Fatalf("confirm with a wrong code: %d %s", r.Status, r.Body)
				}
				r = e.Do("POST", d.prefix+"/totp/confirm", map[string]string{"otp": totpCode(t, e, secret)}, auth...)
				if r.Status != 200 || len(r.Map(t)["recovery_codes"].([]any)) != 10 {
					t.Fatalf("confirm: %d %s", r.Status, r.Body)
				}
				if text := mailAbout(t, e, email, "authenticator app was added"); !strings.Contains(text, "IP address: 127.0.0.1") {
					t.Fatalf("enrolment mail:\n%s", text)
				}
				if f, left := factorList(t, e, d.prefix, auth); !slices.Equal(f, []string{"totp", "recovery_code"}) || left != 10 {
					t.Fatalf("factors after enrolment: %v, %v left", f, left)
				}
				// The factor belongs to the account: both doors now ask for it.
				for _, other := range signIns {
					mfaRequired(t, other.first(e, email, password), "totp", "recovery_code")
				}
				// Removing needs the password too.
				if r := e.Do("POST", d.prefix+"/totp/remove", map[string]string{"password": "a wrong password"}, auth...); r.Status != 401 {
					t.Fatalf("remove with a wrong password: %d %s", r.Status, r.Body)
				}
				if f, _ := factorList(t, e, d.prefix, auth); len(f) == 0 {
					t.Fatal("a wrong password removed the factor")
				}
				if r := e.Do("POST", d.prefix+"/totp/remove", map[string]string{"password": password}, auth...); r.Status != 204 {
					t.Fatalf("remove: %d %s", r.Status, r.Body)
				}
				mailAbout(t, e, email, "authenticator app was removed")
				d.signIn(t, e, email, password) // the password alone again
				events := strings.Join(types(auditEvents(t, e, "&user="+email+"&type=factor.")), ",")
				if events != "factor.totp_enrolled,factor.totp_removed" {
					t.Fatalf("audit: %s", events)
				}
				e.Clock.Advance(time.Minute)
			})
		}
	})
}

func TestWrongPasswordsAtFactorEnrolmentFeedTheLockout(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, lockout(3, 100))
		for door, d := range enrolDoors {
			t.Run(door, func(t *testing.T) {
				e := e.For(t)
				email, password := "lock-"+door+"@example.com", "the password"
				signUp(t, e, email, password)
				ip := from("203.0.113.30", "thief")
				auth := append(d.signIn(t, e, email, password, ip...), ip...)
				for i := range 3 {
					if r := e.Do("POST", d.prefix+"/totp", map[string]string{"password": fmt.Sprint("guess ", i)}, auth...); r.Status != 401 {
						t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
					}
				}
				r := e.Do("POST", d.prefix+"/totp", map[string]string{"password": password}, auth...)
				if r.Status != 429 || errorCode(t, r) != "too_many_attempts" {
					t.Fatalf("the right password in a backoff: %d %s", r.Status, r.Body)
				}
				if r := loginAs(e, email, password, ip...); r.Status != 429 {
					t.Fatalf("login from that IP in the backoff: %d %s", r.Status, r.Body)
				}
			})
		}
	})
}

func TestAnAPIKeyCannotEnrolOrRemoveAFactor(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	signUp(t, e, "kim@example.com", "kim's password")
	cash := enrolDoors["cashdesk"].signIn(t, e, "kim@example.com", "kim's password")
	r := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, cash...)
	if r.Status != 201 {
		t.Fatalf("key: %d %s", r.Status, r.Body)
	}
	key := []string{"X-API-Key", r.Map(t)["key"].(string)}
	for _, path := range []string{"/v1/user/factors/totp", "/api/v2/factors/totp", "/api/v2/factors/totp/remove"} {
		r := e.Do("POST", path, map[string]string{"password": "kim's password"}, key...)
		if r.Status != 403 || errorCode(t, r) != "session_required" {
			t.Fatalf("%s with an API key: %d %s", path, r.Status, r.Body)
		}
	}
}

func TestAnAdminRemovesTheAuthenticatorOfAUserWhoLostIt(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		u := enrolOnBank(t, e, "ann@example.com", "ann's password")
		mfaRequired(t, loginAs(e, u.email, u.password), "totp", "recovery_code")
		if r := e.Do("DELETE", "/admin/v1/users/"+u.email+"/totp", nil, bearer("not-the-admin-token")...); r.Status != 401 {
			t.Fatalf("without the admin token: %d", r.Status)
		}
		if r := e.Do("DELETE", "/admin/v1/users/"+u.email+"/totp", nil, bearer(adminToken)...); r.Status != 204 {
			t.Fatalf("admin removal: %d %s", r.Status, r.Body)
		}
		mailAbout(t, e, u.email, "authenticator app was removed")
		mustLogin(t, e, u.email, u.password)
		if r := e.Do("DELETE", "/admin/v1/users/"+u.email+"/totp", nil, bearer(adminToken)...); r.Status != 404 {
			t.Fatalf("nothing left to remove: %d %s", r.Status, r.Body)
		}
		var removed []map[string]any
		for _, ev := range auditEvents(t, e, "&user="+u.email+"&type=factor.") {
			if ev["type"] == "factor.totp_removed" {
				removed = append(removed, ev)
			}
		}
		if len(removed) != 1 || removed[0]["actor"] != "admin:token" {
			t.Fatalf("audit: %v", removed)
		}
	})
}
