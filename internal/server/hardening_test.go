package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestOversizedAndMistypedRequestsAreRefusedEarly(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	if r := e.DoRaw("GET", "/status", nil, "X-Padding", strings.Repeat("a", 40<<10)); r.Status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("40 KiB of headers: %d", r.Status)
	}
	if r := e.DoRaw("GET", "/v1/user/address/exists?email="+strings.Repeat("a", 9<<10), nil); r.Status != http.StatusRequestURITooLong {
		t.Fatalf("a 9 KiB URI: %d", r.Status)
	}
	req, _ := http.NewRequest("POST", e.URL+"/v1/auth/login", strings.NewReader(`{"username":"a@b.co","password":"x"}`))
	res, err := e.Client.Do(req) // no Content-Type at all
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("a body without Content-Type: %d", res.StatusCode)
	}
	if r := e.Do("POST", "/v1/auth/login", "username=a", "Content-Type", "text/plain"); r.Status != 415 {
		t.Fatalf("text/plain (a cross-site form): %d", r.Status)
	}
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	for _, path := range []string{"/status", "/v1/user/profile", "/v1/auth/publicKey", "/nothing"} {
		r := e.DoRaw("GET", path, nil)
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
	}
	if r := e.Do("GET", "/status", nil); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("JSON answers must not be cached: %q", r.Header.Get("Cache-Control"))
	}
}

func TestCORSIsOpenOnlyToConfiguredOrigins(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.CORSOrigins = "https://app.example.com" })
	r := e.DoRaw("OPTIONS", "/v1/auth/login", nil, "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "content-type")
	if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("preflight of an allowed origin: %d %v", r.Status, r.Header)
	}
	if r := e.DoRaw("GET", "/status", nil, "Origin", "https://app.example.com"); r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("simple request of an allowed origin: %v", r.Header)
	}
	for _, origin := range []string{"https://evil.example.com", "https://app.example.com.evil.net", "null"} {
		r := e.DoRaw("OPTIONS", "/v1/auth/login", nil, "Origin", origin, "Access-Control-Request-Method", "POST")
		if r.Status == 204 || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight of %s: %d %v", origin, r.Status, r.Header)
		}
	}
	if err := (config.Config{CORSOrigins: "*"}).Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_CORS_ORIGINS") {
		t.Fatalf("a wildcard origin must be refused: %v", err)
	}
}

func TestEveryServerPhaseHasATimeout(t *testing.T) {
	var s http.Server
	server.Harden(&s)
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Fatalf("unbounded phase: header %v read %v write %v idle %v max header %d", s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout, s.MaxHeaderBytes)
	}
}
