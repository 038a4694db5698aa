package platform_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/door/platform"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

func TestThePublicKeyIsNeverAnEmptyAnswer(t *testing.T) {
	var pem []byte
	mux := http.NewServeMux()
	(&platform.Door{PublicPEM: func() []byte { return pem }, KeyMaxAge: 90 * time.Second, JSON: httpjson.Adapter{}}).Mount(mux)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/v1/auth/publicKey", nil))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("no key published: %d %v %s, want 503 with Retry-After", w.Code, w.Header(), w.Body)
	}
	pem = []byte("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n")
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/v1/auth/publicKey", nil))
	if w.Code != 200 || w.Body.String() != string(pem) || w.Header().Get("Cache-Control") != "public, max-age=90" ||
		w.Header().Get("Content-Type") != "application/x-pem-file" {
		t.Fatalf("a key: %d %v %q", w.Code, w.Header(), w.Body)
	}
}
