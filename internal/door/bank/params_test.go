package bank

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func request(t testing.TB, query, contentType, body string) *http.Request {
	r := httptest.NewRequest("POST", "/auth/oauth/token?"+query, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestParamsReadQueryFormAndJSONBodies(t *testing.T) {
	for name, r := range map[string]*http.Request{
		"query, {} body (the seed's curl)": request(t, "grant_type=Password&user_type=customer", "application/json", "{}"),
		"form body":                        request(t, "", "application/x-www-form-urlencoded", "grant_type=Password&user_type=customer"),
		"JSON body":                        request(t, "", "application/json", `{"grant_type":"Password","user_type":"customer"}`),
		"split, same value twice":          request(t, "grant_type=Password&user_type=customer", "application/x-www-form-urlencoded", "grant_type=Password"),
	} {
		p, err := params(r)
		if err != nil || word(p, "grant_type") != "password" || p.Get("user_type") != "customer" {
			t.Errorf("%s: %v, %v", name, p, err)
		}
	}
}

func TestParamsRefuseDuplicatesAndOtherBodies(t *testing.T) {
	for name, r := range map[string]*http.Request{
		"two values":      request(t, "grant_type=password&grant_type=otp", "", ""),
		"query and body":  request(t, "grant_type=password", "application/x-www-form-urlencoded", "grant_type=otp"),
		"JSON array":      request(t, "", "application/json", `["x"]`),
		"nested JSON":     request(t, "", "application/json", `{"a":{"b":1}}`),
		"XML":             request(t, "", "application/xml", `<a/>`),
		"oversized query": request(t, "x="+strings.Repeat("a", maxParamBytes), "", ""),
	} {
		if _, err := params(r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzParams: no body or query string makes params panic, and what it
// accepts has one value per name.
func FuzzParams(f *testing.F) {
	f.Add("grant_type=Password&user_type=customer", "application/json", "{}")
	f.Add("", "application/x-www-form-urlencoded", "a=1&b=%zz")
	f.Add("a=%", "application/json", `{"a":1,"b":true,"c":null}`)
	f.Add("a=1", "", `{"a":"1"}`)
	f.Fuzz(func(t *testing.T, query, contentType, body string) {
		r := httptest.NewRequest("POST", "/auth/oauth/token", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", contentType)
		p, err := params(r)
		if err != nil {
			return
		}
		for k, vs := range p {
			if len(vs) != 1 {
				t.Fatalf("%s has %d values", k, len(vs))
			}
		}
	})
}
