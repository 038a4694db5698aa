package bank_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	bankdoor "github.com/gatehouse/gatehouse/internal/door/bank"
)

func TestTheCredentialKeyIsNeverAnEmptyAnswer(t *testing.T) {
	var pem []byte
	mux := http.NewServeMux()
	(&bankdoor.Door{PublicPEM: func() []byte { return pem }, KeyMaxAge: 90 * time.Second}).Mount(mux)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/auth/oauth/public-key", nil))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("no key published: %d %v %s, want 503 with Retry-After", w.Code, w.Header(), w.Body)
	}
	pem = []byte("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n")
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/auth/oauth/public-key", nil))
	if w.Code != 200 || w.Body.String() != string(pem) || w.Header().Get("Cache-Control") != "public, max-age=90" {
		t.Fatalf("a key: %d %v %q", w.Code, w.Header(), w.Body)
	}
}
