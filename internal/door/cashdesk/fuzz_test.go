package cashdesk_test

import (
	"encoding/json"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

var jsonEndpoints = []struct{ method, path string }{
	{"POST", "/api/v2/authenticate"},
	{"PATCH", "/api/v2/profile"},
	{"PUT", "/api/v2/profile/certificate"},
	{"POST", "/api/v2/shifts"},
	{"POST", "/api/v2/api-keys"},
}

// FuzzRequestBodies sends arbitrary bodies to every JSON endpoint of the
// door through the whole server (SQLite, or PostgreSQL:
// testenv.FuzzBackend), as a signed-in cashier: the answer is
// never a 5xx, an error always has the JSON error shape, and every answer
// matches api/openapi.yaml (testenv checks it).
func FuzzRequestBodies(f *testing.F) {
	for i := range jsonEndpoints {
		f.Add(uint8(i), `{"email":"ivan@example.com","password":"cashier secret 1"}`)
		f.Add(uint8(i), `{"full_name":"Іван","edrpou":"14360570","drfo":null}`)
		f.Add(uint8(i), `{"certificate":"MIIBkTCB+wIJAK"}`)
		f.Add(uint8(i), `{"register_id":1e300}`)
		f.Add(uint8(i), `{"name":"k","expires_at":"2099-01-01T00:00:00Z","scopes":["keys"]}`)
		f.Add(uint8(i), `{"email":"ivan\u0000@example.com","password":"\u0000","full_name":"\u0000","name":"k\u0000","scopes":["\u0000"],"certificate":"\u0000"}`)
	}
	env := testenv.New(f, testenv.Options{Backend: testenv.FuzzBackend(f)})
	signUpOnPlatform(f, env, "ivan@example.com", "cashier secret 1", "")
	tok := authenticate(f, env, "ivan@example.com", "cashier secret 1").Token
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		ep := jsonEndpoints[int(which)%len(jsonEndpoints)]
		r := env.For(t).Do(ep.method, ep.path, body, "Authorization", tok)
		if r.Status >= 500 {
			t.Fatalf("%s %s answered %d to %q: %s", ep.method, ep.path, r.Status, body, r.Body)
		}
		if r.Status >= 400 {
			var eb struct{ Error, Message string }
			if json.Unmarshal(r.Body, &eb) != nil || eb.Error == "" || eb.Message == "" {
				t.Fatalf("%s answered %d without the error shape: %s", ep.path, r.Status, r.Body)
			}
		}
	})
}
