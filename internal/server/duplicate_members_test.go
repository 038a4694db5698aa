package server_test

import (
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestABodyNamingAMemberTwiceIsRefusedBeforeAnythingIsDone: the red
// team's sign-up with two logins (encoding/json kept the last and made
// that account) is 400 invalid_json naming the member, and neither
// account exists; the same on a signed-in door and in the bank door's JSON
// parameters. Unknown members are still ignored.
func TestABodyNamingAMemberTwiceIsRefusedBeforeAnythingIsDone(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		r := e.Do("POST", "/v1/user", `{"login":"x@example.com","password":"x's password","login":"y@example.com"}`)
		if r.Status != 400 || errorCode(t, r) != "invalid_json" || r.Map(t)["field"] != "login" {
			t.Fatalf("sign-up with two logins: %d %s", r.Status, r.Body)
		}
		for _, email := range []string{"x@example.com", "y@example.com"} {
			if r := e.Do("GET", "/v1/user/address/exists?email="+url.QueryEscape(email), nil); r.Map(t)["exist"] != false {
				t.Fatalf("the refused sign-up made %s", email)
			}
		}

		signUp(t, e, "vic@example.com", "vic's password")
		tok := bearer(mustLogin(t, e, "vic@example.com", "vic's password").AccessToken)
		r = e.Do("POST", "/v1/user/address", `{"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","name":"a","NAME":"b"}`, tok...)
		if r.Status != 400 || r.Map(t)["field"] != "NAME" {
			t.Fatalf("an address with two names: %d %s", r.Status, r.Body)
		}
		if addrs := e.Do("GET", "/v1/user/profile", nil, tok...).Map(t)["addresses"]; addrs != nil && len(addrs.([]any)) != 0 {
			t.Fatalf("the refused request added an address: %v", addrs)
		}

		k := newBankUser(t, e, "wes@example.com", "wes's password")
		body := `{"grant_type":"password","user_type":"customer","username":"` + k.enc(t, "wes@example.com") +
			`","password":"` + k.enc(t, "wes's password") + `","username":"` + k.enc(t, "vic@example.com") + `"}`
		r = e.Do("POST", "/auth/oauth/token", body, "Authorization", webBasic)
		if r.Status != 400 || r.Map(t)["error"] != "invalid_request" {
			t.Fatalf("bank step 1 with two usernames: %d %s", r.Status, r.Body)
		}
		if r := e.Do("POST", "/v1/user", `{"login":"z@example.com","password":"z's password","extra":{"seed":1}}`); r.Status != 201 {
			t.Fatalf("a sign-up with an unknown member: %d %s", r.Status, r.Body)
		}
	})
}
