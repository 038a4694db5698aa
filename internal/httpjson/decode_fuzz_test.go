package httpjson

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

type sample struct {
	Login    string   `json:"login"`
	Password string   `json:"password" text:"secret"`
	Roles    []string `json:"roles"`
	N        int      `json:"n"`
}

// FuzzDecode: any body either decodes or answers a typed client error (never
// a panic, never an internal error), a body over the cap is a 413, what
// decodes is text (text.go) but for the secret password, and what decodes
// is refused once one of its members is repeated (duplicates.go).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"login":"a@b.c","password":"x"}`, `{"roles":["a"],"n":1}`, `{`, `[]`, `null`, `{"n":"x"}`, `{} {}`, "\xff",
		`{"login":"a\u0000"}`, `{"roles":["a","\u001b"]}`, "{\"login\":\"\xff\"}", `{"password":"\u0000"}`,
		`{"login":"a","login":"b"}`, `{"x":{"y":1,"Y":2}}`, `{"roles":[{"a":1,"a":1}]}`, `{"\u017f":1,"S":2}`} {
		f.Add(s, "application/json")
	}
	f.Add(`{}`, "text/plain")
	f.Fuzz(func(t *testing.T, body, ct string) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Body = http.MaxBytesReader(rec, r.Body, 64)
		var v sample
		err := Decode(r, &v)
		if err == nil {
			for _, s := range append([]string{v.Login}, v.Roles...) {
				if !core.IsText(s) {
					t.Fatalf("%q decoded with %q in it", body, s)
				}
			}
			mustRefuseARepeat(t, body)
			return
		}
		var se *StatusError
		if errors.As(err, &se) {
			if se.Status != http.StatusUnsupportedMediaType && se.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d for %q", se.Status, body)
			}
			return
		}
		var e *core.Error
		if !errors.As(err, &e) {
			t.Fatalf("untyped error %v for %q", err, body)
		}
		if e.Kind != core.KindInvalid {
			t.Fatalf("kind %v for %q", e.Kind, body)
		}
		if len(body) > 64 && e.Kind == core.KindInvalid && strings.HasPrefix(strings.TrimSpace(body), `{"login":"`) && !strings.ContainsAny(body[:64], `"\`) {
			t.Fatalf("a long body gave %v, want 413", e)
		}
	})
}

// mustRefuseARepeat checks that body, which decoded, is refused naming
// the member once its first member is given twice.
func mustRefuseARepeat(t *testing.T, body string) {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(body), &m) != nil || len(m) == 0 {
		return
	}
	for k, raw := range m {
		name, _ := json.Marshal(k)
		twice := "{" + string(name) + ":" + string(raw) + "," + string(name) + ":" + string(raw) + "}"
		r := httptest.NewRequest("POST", "/", strings.NewReader(twice))
		r.Header.Set("Content-Type", "application/json")
		var v sample
		var e *core.Error
		if err := Decode(r, &v); !errors.As(err, &e) || e.Code != "invalid_json" || e.Field != core.DisplayText(k, 128) {
			t.Fatalf("%s: %v, want invalid_json naming %q", twice, err, k)
		}
		return
	}
}

func TestDecodeNamesTheFieldOfAWrongType(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"n":"seven"}`))
	r.Header.Set("Content-Type", "application/json")
	var v sample
	err := Decode(r, &v)
	var e *core.Error
	if !errors.As(err, &e) || e.Code != "invalid_type" || e.Field != "n" {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorsMapToTheirStatusAndHideInternalCauses(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{core.ErrInvalidCredentials, 401, "invalid_credentials"},
		{core.ErrLoginTaken, 409, "login_taken"},
		{core.RateLimited(1500e6), 429, "rate_limited"},
		{core.ErrOverloaded, 503, "overloaded"},
		{errors.New("pq: password=hunter2 connection refused"), 500, "internal_error"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		Adapter{}.Error(rec, httptest.NewRequest("GET", "/", nil), c.err)
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), `"error":"`+c.code+`"`) {
			t.Errorf("%v → %d %s", c.err, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "hunter2") {
			t.Errorf("internal cause leaked: %s", rec.Body)
		}
		if (c.status == 429 || c.status == 503) && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%d without Retry-After", c.status)
		}
	}
	rec := httptest.NewRecorder()
	Adapter{}.Error(rec, httptest.NewRequest("GET", "/", nil), core.RateLimited(1500e6))
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (rounded up)", got)
	}
}
