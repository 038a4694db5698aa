package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, body)
	}
	return string(body)
}

func has(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("no line %q in the scrape", l)
		}
	}
}

func TestEveryFamilyIsShownWithItsLabels(t *testing.T) {
	m := New(Sources{
		Hashes:  func() (int64, int64, uint64) { return 3, 2, 7 },
		Outbox:  func(context.Context) (map[string]int64, error) { return map[string]int64{"mail": 4}, nil },
		Ready:   func() bool { return true },
		Version: "v1.2.3", Commit: "abc",
	})
	m.Request("GET /v1/user/confirm/{code}", "GET", 200, 30*time.Millisecond)
	m.Request("", "BREW", 404, time.Millisecond)
	m.Login("platform", "succeeded")
	m.RateLimited("login")
	has(t, scrape(t, m),
		`gatehouse_http_requests_total{code="200",method="GET",route="GET /v1/user/confirm/{code}"} 1`,
		`gatehouse_http_requests_total{code="404",method="OTHER",route="unmatched"} 1`,
		`gatehouse_http_request_duration_seconds_bucket{route="GET /v1/user/confirm/{code}",le="0.05"} 1`,
		`gatehouse_http_request_duration_seconds_bucket{route="GET /v1/user/confirm/{code}",le="0.025"} 0`,
		`gatehouse_logins_total{door="platform",outcome="succeeded"} 1`,
		`gatehouse_rate_limit_refused_total{endpoint="login"} 1`,
		`gatehouse_password_hashes_in_flight 3`,
		`gatehouse_password_hashes_waiting 2`,
		`gatehouse_password_hash_refused_total 7`,
		`gatehouse_mail_outbox_pending 4`,
		`gatehouse_outbox_pending{channel="mail"} 4`,
		`gatehouse_outbox_pending{channel="sms"} 0`,
		`gatehouse_ready 1`,
		`gatehouse_build_info{commit="abc",version="v1.2.3"} 1`,
	)
}

// A database that does not answer costs the outbox's families, not the
// scrape.
func TestAFailingSourceLeavesTheRestOfTheScrape(t *testing.T) {
	m := New(Sources{Outbox: func(context.Context) (map[string]int64, error) { return nil, errors.New("database down") }})
	m.Login("bank", "failed")
	body := scrape(t, m)
	has(t, body, `gatehouse_logins_total{door="bank",outcome="failed"} 1`)
	if strings.Contains(body, "gatehouse_outbox_pending{") || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("scrape with a failing outbox:\n%s", body)
	}
}

func TestMethodsOutsideTheStandardOnesShareOneLabel(t *testing.T) {
	for in, want := range map[string]string{"GET": "GET", "DELETE": "DELETE", "get": "OTHER", "BREW": "OTHER", "": "OTHER"} {
		if got := Method(in); got != want {
			t.Errorf("Method(%q) = %q, want %q", in, got, want)
		}
	}
	if codeLabel(99) != "other" || codeLabel(600) != "other" || codeLabel(503) != "503" {
		t.Error("status labels")
	}
}

func TestTwoRegistriesCountApart(t *testing.T) {
	a, b := New(Sources{}), New(Sources{})
	a.Login("platform", "failed")
	if strings.Contains(scrape(t, b), "gatehouse_logins_total{") {
		t.Fatal("a login counted on one registry shows on another")
	}
}

// BenchmarkRequest is what counting one request costs (every request of
// the public listener pays it).
func BenchmarkRequest(b *testing.B) {
	m := New(Sources{})
	for b.Loop() {
		m.Request("GET /v1/user/profile", "GET", 200, 80*time.Microsecond)
	}
}

func BenchmarkRequestParallel(b *testing.B) {
	m := New(Sources{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Request("GET /v1/user/profile", "GET", 200, 80*time.Microsecond)
		}
	})
}
