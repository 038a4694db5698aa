package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// FuzzHostileRequests sends arbitrary bytes through the whole server
// (SQLite, or PostgreSQL: testenv.FuzzBackend) to every documented
// operation, signed in as whoever it serves: as its User-Agent and
// Device-Fingerprint headers, and in one of its path parameters, query
// parameters or JSON string properties. The answer is never a 5xx, an
// error has its door's shape, and a refusal for bad text names the input.
func FuzzHostileRequests(f *testing.F) {
	for _, s := range []string{"Caf\xe9", "\x00", "%ff", "a\r\nb", "\u202e", "..", "x@example.com", "\xf0\x9f\x98"} {
		for which := range 8 {
			f.Add(uint16(which*11), uint8(which), s, "Mozilla/5.0 \xe9")
		}
	}
	e := newEnv(f, testenv.FuzzBackend(f), nil)
	creds := sweepCreds(f, e)
	ops := testenv.Operations(f, e.Config.SourceList())
	ops = slices.DeleteFunc(ops, endsSession) // the fuzzer must not log its own users out
	f.Fuzz(func(t *testing.T, which uint16, slot uint8, value, header string) {
		op := ops[int(which)%len(ops)]
		input, path, body := place(op, int(slot), value)
		hdr := append([]string{"User-Agent", headerSafe(header), "Device-Fingerprint", headerSafe(value)}, creds(op.Path)...)
		r := e.For(t).DoRaw(op.Method, path, body, hdr...)
		if r.Status >= 500 {
			t.Fatalf("%s %s (%s=%q, User-Agent %q) answered %d: %s", op.Method, path, input, value, header, r.Status, r.Body)
		}
		if r.Status < 400 || len(r.Body) == 0 {
			return
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") { // the hosted pages' error is a page
			if !strings.Contains(string(r.Body), `role="alert"`) && !strings.Contains(string(r.Body), `class="field-error"`) && !strings.Contains(string(r.Body), `role="status"`) {
				t.Fatalf("%s %s answered %d with a page that shows no error: %s", op.Method, path, r.Status, r.Body)
			}
			return
		}
		var eb struct{ Error, Message, Field, ErrorDescription string }
		if json.Unmarshal(r.Body, &eb) != nil || eb.Error == "" {
			t.Fatalf("%s %s answered %d without an error shape: %s", op.Method, path, r.Status, r.Body)
		}
		if eb.Error == "invalid_text" && eb.Field != input {
			t.Fatalf("%s %s: the refusal names %q, want %q: %s", op.Method, path, eb.Field, input, r.Body)
		}
	})
}

// place puts value into the input slot picks among op's path parameters,
// query parameters and JSON string properties (none: only the headers
// carry it), and returns the input's name, the path and the body.
func place(op testenv.Operation, slot int, value string) (input, path, body string) {
	inputs := len(op.PathParams) + len(op.QueryParams) + len(op.BodyStrings)
	path, body = fill(op.Path, op.PathParams, "", ""), "{}"
	if inputs == 0 {
		return "", path, body
	}
	switch i := slot % inputs; {
	case i < len(op.PathParams):
		input = op.PathParams[i]
		path = fill(op.Path, op.PathParams, input, url.PathEscape(value))
	case i < len(op.PathParams)+len(op.QueryParams):
		input = op.QueryParams[i-len(op.PathParams)]
		path += "?" + url.QueryEscape(input) + "=" + url.QueryEscape(value)
	default:
		input = op.BodyStrings[i-len(op.PathParams)-len(op.QueryParams)]
		v, _ := json.Marshal(value) // bytes that are not UTF-8 become U+FFFD, as any client's encoder does
		body = fmt.Sprintf(`{%q:%s}`, input, v)
	}
	return input, path, body
}

// headerSafe drops the bytes no HTTP client can send in a header value
// (RFC 9110 §5.5: control characters other than tab); bytes from 0x80,
// which need not be UTF-8 (obs-text), stay.
func headerSafe(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c != 0x7f || c == '\t' {
			b = append(b, c)
		}
	}
	return string(b)
}
