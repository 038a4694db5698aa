package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The hostile-byte sweep: every operation of api/openapi.yaml (so a new
// endpoint is covered as soon as it is documented), signed in as whoever
// it serves, receives a User-Agent that is not UTF-8, then each of its
// path parameters, query parameters and JSON string properties in turn
// as a NUL and as a byte that is not UTF-8. No answer may be a 5xx; a
// refusal for bad text names the input; and afterwards everything stored
// is clean text.

// hostileValues are what each input receives: raw bytes the way a URL
// carries them, and the same for a JSON body (where encoding/json turns a
// bad byte into U+FFFD, so the control characters are the threat).
var (
	hostileInURL  = []string{"%ff", "%00", "a%0d%0ab", "%c0%80"}
	hostileInJSON = []string{`"\u0000"`, `"a\u0000b"`, `"a\r\nb"`, `"\u001b[31m"`}
)

// sweepCreds signs in on every door and returns the headers that
// authenticate a request on each path. The first account is a bystander:
// the admin operations on user 1 (lock, delete) reach it, not the
// signed-in users.
func sweepCreds(t testing.TB, e *testenv.Env) func(path string) []string {
	signUp(t, e, "bystander@example.com", "bystander's password 1")
	signUp(t, e, "ann@example.com", "ann's password 1")
	platform := bearer(mustLogin(t, e, "ann@example.com", "ann's password 1").AccessToken)
	r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "ann@example.com", "password": "ann's password 1"})
	cashier := []string{"Authorization", r.Map(t)["token"].(string)}
	bf := newBankUser(t, e, "dana@example.com", "bank secret 1")
	s2 := bf.toStep2(t, "dana@example.com", "bank secret 1")
	code := bf.sendSMS(t, s2)
	bank := bearer(accessOf(t, bf.grant(s2, url.Values{"grant_type": {"otp"}, "factor": {"OTP_SMS"}, "otp": {code}})))
	return func(path string) []string {
		switch {
		case strings.HasPrefix(path, "/admin/"):
			return bearer(adminToken)
		case strings.HasPrefix(path, "/api/v2/"):
			return cashier
		case path == "/auth/oauth/token", path == "/auth/oauth/revoke":
			return []string{"Authorization", webBasic}
		case strings.HasPrefix(path, "/auth/oauth/"):
			return bank
		}
		return platform
	}
}

// endsSession tells the operations that may end a session or delete what
// the sweep signed in with.
func endsSession(o testenv.Operation) bool {
	return strings.Contains(o.Path, "logout") || strings.Contains(o.Path, "revoke") || o.Method == "DELETE"
}

// sweepOrder puts the operations that end a session last, so that the
// others run with live credentials.
func sweepOrder(ops []testenv.Operation) {
	sort.SliceStable(ops, func(i, j int) bool { return !endsSession(ops[i]) && endsSession(ops[j]) })
}

// fill puts value into every path parameter (hostile is the one under
// test; the others get a harmless "1").
func fill(path string, params []string, hostile, value string) string {
	for _, p := range params {
		v := "1"
		if p == hostile {
			v = value
		}
		path = strings.ReplaceAll(path, "{"+p+"}", v)
	}
	return path
}

func TestEveryDocumentedEndpointSurvivesHostileBytes(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		creds := sweepCreds(t, e)
		ops := testenv.Operations(t, e.Config.SourceList())
		sweepOrder(ops)
		for _, op := range ops {
			t.Run(op.Method+" "+op.Path, func(t *testing.T) {
				send := func(what, input, path, body string) {
					t.Helper()
					hdr := append([]string{"User-Agent", cafe}, creds(op.Path)...)
					r := e.For(t).Do(op.Method, path, body, hdr...)
					if r.Status >= 500 {
						t.Fatalf("%s: %s %s answered %d: %s", what, op.Method, path, r.Status, r.Body)
					}
					var eb struct{ Error, Field string }
					if json.Unmarshal(r.Body, &eb) == nil && eb.Error == "invalid_text" && eb.Field != input {
						t.Fatalf("%s: the refusal names %q, want %q: %s", what, eb.Field, input, r.Body)
					}
				}
				base := fill(op.Path, op.PathParams, "", "")
				send("a User-Agent that is not UTF-8", "", base, "{}")
				for _, p := range op.PathParams {
					for _, v := range hostileInURL {
						send("path parameter "+p+"="+v, p, fill(op.Path, op.PathParams, p, v), "{}")
					}
				}
				for _, q := range op.QueryParams {
					for _, v := range hostileInURL {
						send("query parameter "+q+"="+v, q, base+"?"+url.QueryEscape(q)+"="+v, "{}")
					}
				}
				for _, f := range op.BodyStrings {
					for _, v := range hostileInJSON {
						send(fmt.Sprintf("body property %s=%s", f, v), f, base, fmt.Sprintf(`{%q:%s}`, f, v))
					}
				}
				for _, f := range op.BodyLists {
					for _, v := range hostileInJSON {
						send(fmt.Sprintf("body property %s=[%s]", f, v), f, base, fmt.Sprintf(`{%q:["ok",%s]}`, f, v))
					}
				}
			})
		}
		storedUserAgents(t, e)
	})
}
