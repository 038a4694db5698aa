package sms

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// received is one request as the fake gateway saw it.
type received struct {
	Method, Path, ContentType, Authorization string
	Body                                     []byte
}

// fakeGateway is a local HTTP server that answers each request with the
// next of its scripted statuses (0 drops the connection without an
// answer) and, once the script is spent, with ok. It keeps every request.
type fakeGateway struct {
	*httptest.Server
	mu     sync.Mutex
	script []int
	ok     int
	answer string // body of every answer
	got    []received
}

func newFakeGateway(t *testing.T, ok int, script ...int) *fakeGateway {
	t.Helper()
	f := &fakeGateway{script: script, ok: ok}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.got = append(f.got, received{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), body})
	status := f.ok
	if len(f.script) > 0 {
		status, f.script = f.script[0], f.script[1:]
	}
	answer := f.answer
	f.mu.Unlock()
	if status == 0 {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the connection drops: no answer at all
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

// requests returns what the gateway received so far.
func (f *fakeGateway) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// redirectTo answers every request with a 307 to url.
func redirectTo(url string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, url, http.StatusTemporaryRedirect)
	})
}
