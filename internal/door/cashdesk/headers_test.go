package cashdesk

import (
	"strings"
	"testing"
)

func TestAcceptsJSONFollowsRFC9110(t *testing.T) {
	cases := []struct {
		accept []string
		want   bool
	}{
		{nil, true},
		{[]string{""}, true},
		{[]string{"application/json"}, true},
		{[]string{"application/json; charset=utf-8"}, true},
		{[]string{"*/*"}, true},
		{[]string{"application/*"}, true},
		{[]string{"text/html, application/xhtml+xml, */*;q=0.8"}, true},
		{[]string{"text/html", "application/json"}, true}, // two header lines
		{[]string{"APPLICATION/JSON"}, true},              // media types are case-insensitive
		{[]string{"text/html"}, false},
		{[]string{"application/xml, text/*"}, false},
		{[]string{"application/json;q=0"}, false},
		{[]string{"application/json;q=0, */*"}, false}, // the most specific range decides
		{[]string{"*/*;q=0, application/json;q=0.1"}, true},
		{[]string{"application/*;q=0, */*"}, false},
		{[]string{"application/json;q=abc"}, true}, // a malformed weight is ignored
		{[]string{";;;"}, true},                    // nothing parsable: no preference stated
	}
	for _, c := range cases {
		if got := AcceptsJSON(c.accept); got != c.want {
			t.Errorf("AcceptsJSON(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}

func TestIsJSONAllowsParametersOnly(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "Application/JSON": true,
		"": false, "text/json": false, "application/problem+json": false, "application/json;": true, // an empty parameter list is tolerated
	} {
		if got := IsJSON(ct); got != want {
			t.Errorf("IsJSON(%q) = %v, want %v", ct, got, want)
		}
	}
}

func FuzzAcceptsJSON(f *testing.F) {
	for _, s := range []string{"application/json", "*/*;q=0", "text/html, application/*;q=0.5", "application/json;q=0, */*", `a/b;c="d,e"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		// An explicit, most specific refusal refuses whatever else is said
		// (unless the header itself names JSON); an explicit acceptance admits.
		if AcceptsJSON([]string{accept, "application/json;q=0"}) && !strings.Contains(strings.ToLower(accept), "json") {
			t.Fatalf("%q plus application/json;q=0 still admits JSON", accept)
		}
		if !AcceptsJSON([]string{accept, "application/json"}) {
			t.Fatalf("%q plus application/json refuses JSON", accept)
		}
	})
}

func FuzzDecodeCertificateText(f *testing.F) {
	f.Add("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
	f.Add("MIIBkTCB+wIJAK")
	f.Add("MIIB_-w==")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		der, err := decodeCertificateText(s)
		if err == nil && len(der) == 0 && strings.TrimSpace(s) != "" && strings.Trim(strings.TrimSpace(s), "=") != "" {
			t.Fatalf("%q decoded to nothing without an error", s)
		}
	})
}
