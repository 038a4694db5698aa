package httpjson

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

type nested struct {
	Login string `json:"login"`
	Inner struct {
		Name string `json:"name"`
	} `json:"inner"`
	List []struct {
		Name string `json:"name"`
	} `json:"list"`
	Attrs map[string]string `json:"attrs"`
}

// TestDecodeRefusesARepeatedMemberNamingIt: a body whose object (at any
// depth) names one member twice is ambiguous, like two Authorization
// headers (the last wins in encoding/json, the first elsewhere): 400
// invalid_json naming the member, nothing decoded. Names that differ only
// in letter case fill one field, so they repeat too.
func TestDecodeRefusesARepeatedMemberNamingIt(t *testing.T) {
	cases := map[string]string{
		`{"login":"x@example.com","login":"y@example.com"}`:      "login",
		`{"login":"x@example.com","LOGIN":"y@example.com"}`:      "LOGIN",
		`{"inner":{"name":"a","name":"b"}}`:                      "inner.name",
		`{"list":[{"name":"a"},{"name":"b","name":"c"}]}`:        "list.name",
		`{"attrs":{"k":"1","k":"2"}}`:                            "attrs.k",
		`{"login":"x","extra":{"a":1},"extra":{"a":2}}`:          "extra",
		`{"unknown":[1,{"deep":{"x":1,"x":2}}],"login":"x"}`:     "unknown.deep.x",
		`{"log\u0069n":"x@example.com","login":"y@example.com"}`: "login",
	}
	for body, member := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var v nested
		err := Decode(r, &v)
		var e *core.Error
		if !errors.As(err, &e) || e.Kind != core.KindInvalid || e.Code != "invalid_json" || e.Field != member {
			t.Errorf("%s: %v, want invalid_json naming %q", body, err, member)
		}
		if v.Login != "" || v.Inner.Name != "" {
			t.Errorf("%s: decoded %+v before refusing", body, v)
		}
	}
	for _, body := range []string{`{"login":"x","inner":{"login":"y"}}`, `{"list":[{"name":"a"},{"name":"b"}]}`, `{"a":{"b":1},"b":{"a":1}}`, `{"unknown":1,"login":"x"}`} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var v nested
		if err := Decode(r, &v); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}
