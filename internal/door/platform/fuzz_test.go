package platform_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

var postEndpoints = []string{
	"/v1/user", "/v1/user/resendEmail", "/v1/user/password/restore", "/v1/user/password/reset",
	"/v1/auth/login", "/v1/auth/refresh",
}

// FuzzRequestBodies sends arbitrary bodies to every JSON endpoint of the
// door through the whole server (SQLite, or PostgreSQL: testenv.FuzzBackend):
// the answer is never a 5xx, always the JSON error shape when it is not a
// success, and always matches the spec.
func FuzzRequestBodies(f *testing.F) {
	for i := range postEndpoints {
		f.Add(uint8(i), `{"login":"a@example.com","password":"long enough"}`)
		f.Add(uint8(i), `{"token":"`+strings.Repeat("x", 43)+`","password":"long enough"}`)
		f.Add(uint8(i), `{"email":"a@example.com","source":"license"}`)
		f.Add(uint8(i), `{"username":"a@example.com","password":1}`)
		f.Add(uint8(i), `{"username":"a\u0000@example.com","login":"b\u0000@example.com","email":"\u0000","password":"a\u0000b","name":"\u001b[2J"}`)
		f.Add(uint8(i), "{\"login\":\"caf\xe9@example.com\",\"password\":\"long enough\",\"token\":\"\xff\"}")
	}
	e := testenv.New(f, testenv.Options{Backend: testenv.FuzzBackend(f)})
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := postEndpoints[int(which)%len(postEndpoints)]
		r := e.For(t).Do("POST", path, body)
		if r.Status >= 500 {
			t.Fatalf("%s answered %d to %q: %s", path, r.Status, body, r.Body)
		}
		if r.Status >= 400 {
			var eb struct{ Error, Message string }
			if json.Unmarshal(r.Body, &eb) != nil || eb.Error == "" || eb.Message == "" {
				t.Fatalf("%s answered %d without the error shape: %s", path, r.Status, r.Body)
			}
		}
	})
}
