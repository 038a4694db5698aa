package httpjson

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
)

func TestABodyWithoutAJSONContentTypeIsRefused(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "application/json; charset"} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(`{"login":"a@b.c"}`))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		var v sample
		if err := Decode(r, &v); !errors.Is(err, ErrMediaType) {
			t.Errorf("Content-Type %q: %v, want 415", ct, err)
		}
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/merge-patch+json"} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(`{"login":"a@b.c"}`))
		r.Header.Set("Content-Type", ct)
		var v sample
		if err := Decode(r, &v); err != nil || v.Login != "a@b.c" {
			t.Errorf("Content-Type %q: %v", ct, err)
		}
	}
}

func TestAFailingDependencyIs503AndABugIs500AndNeitherLogsThePath(t *testing.T) {
	cases := []struct {
		err    error
		status int
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, 503},
		{fmt.Errorf("sqlstore.CreateUser: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), 503},
		{fmt.Errorf("Register: %w", context.DeadlineExceeded), 503},
		{fmt.Errorf("Tx: commit: %w", syscall.EPIPE), 503},
		{errors.New("sql: Scan error on column 3"), 500},
	}
	for _, c := range cases {
		var logs bytes.Buffer
		a := Adapter{Log: slog.New(slog.NewTextHandler(&logs, nil))}
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/v1/user/confirm/SECRETCODE", nil)
		r.Pattern = "GET /v1/user/confirm/{code}"
		a.Error(rec, r, c.err)
		if rec.Code != c.status {
			t.Errorf("%v → %d, want %d", c.err, rec.Code, c.status)
		}
		if c.status == 503 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%v: 503 without Retry-After", c.err)
		}
		if strings.Contains(logs.String(), "SECRETCODE") || !strings.Contains(logs.String(), "{code}") {
			t.Errorf("log line names the path instead of the route: %s", logs.String())
		}
	}
}
