package server_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestTheOpenAPIDocumentIsServedWithTheConfiguredSources(t *testing.T) {
	e := testenv.New(t, testenv.Options{Config: func(c *config.Config) { c.Sources = "shop,bank" }})
	r := e.DoRaw("GET", "/openapi.yaml", nil)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("served document is not valid OpenAPI: %v", err)
	}
	enum := doc.Components.Schemas["Source"].Value.Enum
	if len(enum) != 2 || enum[0] != "shop" || enum[1] != "bank" {
		t.Fatalf("Source enum = %v", enum)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTheAccessLogNamesRoutesNotPathsSoCodesStayOut(t *testing.T) {
	var log syncBuffer
	e := testenv.New(t, testenv.Options{Log: &log})
	e.Do("POST", "/v1/user", map[string]string{"login": "log@example.com", "password": "secret password"})
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	e.Do("GET", "/v1/user/confirm/"+code, nil)
	r := e.Do("POST", "/v1/auth/login", map[string]string{"username": "log@example.com", "password": "secret password"})
	tok := r.Map(t)["refresh_token"].(string)
	out := log.String()
	for _, secret := range []string{code, "secret password", tok} {
		if strings.Contains(out, secret) {
			t.Fatalf("the log carries a secret %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `route="GET /v1/user/confirm/{code}"`) {
		t.Fatalf("the log lacks the route:\n%s", out)
	}
}

func TestEveryAnswerCarriesSecurityHeaders(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	r := e.DoRaw("GET", "/status", nil)
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}
