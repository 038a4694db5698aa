package server_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestWrongAdminTokensFromOneIPEndIn429WhileTheRightOneWorksElsewhere: a
// static admin token is guessed otherwise (the tryout made 380 wrong
// guesses in a minute, every one a 401). Past the admin row's limit the
// guessing IP is refused before its token is compared, so even the right
// token from it gets 429 (its guesses tell nothing); another IP is not
// slowed, and the refusals count in the rate-limit metric.
func TestWrongAdminTokensFromOneIPEndIn429WhileTheRightOneWorksElsewhere(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, limited("admin=5/0/0"))
		guesser := "198.51.100.7"
		for i := range 5 {
			if r := e.Do("GET", "/admin/v1/users", nil, from(guesser, "ua", bearer("guess-"+string(rune('a'+i)))...)...); r.Status != 401 {
				t.Fatalf("wrong guess %d: %d %s, want 401", i+1, r.Status, r.Body)
			}
		}
		assert429(t, e.Do("GET", "/admin/v1/users", nil, from(guesser, "ua", bearer("guess-f")...)...))
		assert429(t, e.Do("GET", "/admin/v1/users", nil, from(guesser, "ua", bearer(adminToken)...)...))
		if r := e.Do("GET", "/admin/v1/users", nil, from("203.0.113.9", "ua", bearer(adminToken)...)...); r.Status != 200 {
			t.Fatalf("the right token from another IP: %d %s", r.Status, r.Body)
		}
		// Right tokens are not counted: an operator's script is never slowed by its own successes.
		for range 10 {
			if r := e.Do("GET", "/admin/v1/users", nil, from("203.0.113.10", "ua", bearer(adminToken)...)...); r.Status != 200 {
				t.Fatalf("the right token, many times: %d %s", r.Status, r.Body)
			}
		}
		wantSeries(t, scrape(t, e), map[string]float64{`gatehouse_rate_limit_refused_total{endpoint="admin"}`: 2})
		// Each compared wrong token is audited; the blocked ones are not (the metric counts them).
		var failed, refused int
		for _, ev := range auditEvents(t, e, "&type=admin.auth_failed") {
			if ev["ip"] != guesser {
				t.Errorf("audit row of %v, want the guesser's address", ev["ip"])
			}
			switch ev["outcome"] {
			case "failed":
				failed++
			case "refused":
				refused++
			}
		}
		if failed != 5 || refused != 0 {
			t.Fatalf("admin.auth_failed rows: %d failed, %d refused; want the 5 compared guesses", failed, refused)
		}
	})
}

// TestTheAdminLimitIsOffWithTheOtherLimits: GATEHOUSE_RATE_LIMITS=off
// turns it off too.
func TestTheAdminLimitIsOffWithTheOtherLimits(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.RateLimits = "off" })
	for i := range 30 {
		if r := e.Do("GET", "/admin/v1/users", nil, from("198.51.100.7", "ua", bearer("guess")...)...); r.Status != 401 {
			t.Fatalf("guess %d: %d", i+1, r.Status)
		}
	}
}
