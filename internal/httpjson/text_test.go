package httpjson

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

type inner struct {
	Label string `json:"label"`
}

type textSample struct {
	Name     string            `json:"name"`
	Password string            `json:"password" text:"secret"`
	PEM      string            `json:"pem" text:"multiline"`
	Nick     *string           `json:"nick"`
	Tags     []string          `json:"tags"`
	Inner    inner             `json:"inner"`
	Attrs    map[string]string `json:"attrs"`
	inner
}

func decodeText(t *testing.T, body string) error {
	t.Helper()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var v textSample
	return Decode(r, &v)
}

func TestDecodeRefusesAStringThatIsNotTextNamingItsField(t *testing.T) {
	for body, field := range map[string]string{
		`{"name":"a\u0000"}`:              "name",
		`{"name":"a\nb"}`:                 "name",
		`{"nick":"\u001b[2J"}`:            "nick",
		`{"tags":["ok","\u0085"]}`:        "tags",
		`{"inner":{"label":"\u007f"}}`:    "inner.label",
		`{"attrs":{"k":"\u0000"}}`:        "attrs",
		`{"attrs":{"\u0000":"v"}}`:        "attrs",
		`{"label":"a\u0000"}`:             "label", // an embedded struct's field
		`{"pem":"-----BEGIN\u0000"}`:      "pem",
		`{"name":"ok","tags":["\u0000"]}`: "tags",
	} {
		err := decodeText(t, body)
		var e *core.Error
		if !errors.As(err, &e) || e.Code != "invalid_text" || e.Field != field || e.Kind != core.KindInvalid {
			t.Errorf("%s: %v, want invalid_text on %s", body, err, field)
		}
	}
}

func TestDecodeLetsSecretsAndMultilineFieldsThrough(t *testing.T) {
	for _, body := range []string{
		`{"password":"a\u0000b"}`, // the core judges passwords
		`{"pem":"-----BEGIN CERTIFICATE-----\r\nMII\tB\n-----END CERTIFICATE-----\n"}`,
		`{"name":"Іван Петренко","tags":["東京"],"nick":null,"inner":{"label":"👩‍💻"}}`,
		"{\"name\":\"caf\xe9\"}", // encoding/json made it U+FFFD: text
	} {
		if err := decodeText(t, body); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestCheckQueryRefusesAParameterThatIsNotTextNamingIt(t *testing.T) {
	for target, field := range map[string]string{
		"/?q=%00":             "q",
		"/?audience=%ff":      "audience",
		"/?a=1&lang=en%0d%0a": "lang",
		"/?%ff=1":             "\uFFFD",
	} {
		err := CheckQuery(httptest.NewRequest("GET", target, nil))
		var e *core.Error
		if !errors.As(err, &e) || e.Code != "invalid_text" || e.Field != field {
			t.Errorf("%s: %v, want invalid_text on %q", target, err, field)
		}
	}
	if err := CheckQuery(httptest.NewRequest("GET", "/?q=%D0%86%D0%B2%D0%B0%D0%BD&limit=5", nil)); err != nil {
		t.Errorf("a Cyrillic search: %v", err)
	}
}

func TestTheAdapterRefusesAHostileQueryBeforeTheHandlerRuns(t *testing.T) {
	ran := false
	h := Adapter{}.H(func(w http.ResponseWriter, r *http.Request) error { ran = true; return nil })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/?q=%00", nil))
	if ran || rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"q"`) {
		t.Fatalf("ran %v, %d %s", ran, rec.Code, rec.Body)
	}
}
