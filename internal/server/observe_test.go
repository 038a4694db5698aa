package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// scrape reads the management listener's /metrics as series → value.
func scrape(t *testing.T, e *testenv.Env) map[string]float64 {
	t.Helper()
	code, _, body := get(t, e.ManagementURL+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

func wantSeries(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
		}
	}
}

var requestLine = regexp.MustCompile(`(?m)^.*msg=request .*$`)

// lineWith returns the log lines holding every one of parts.
func linesWith(log string, parts ...string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all && l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestRequestIdsAreKeptWhenSaneReplacedOtherwiseEchoedAndOnTheRequestsLogLines(t *testing.T) {
	var logs lockedBuffer
	armed := &atomic.Bool{}
	e := newEnv(t, testenv.SQLite, nil, func(o *testenv.Options) {
		o.Log = &logs
		o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend {
			return faultStore{s, armed, func() error { return fmt.Errorf("disk on fire") }}
		}
	})
	r := e.Do("GET", "/status", nil, "X-Request-Id", "lb-7f3a.2_x")
	if got := r.Header.Get("X-Request-Id"); got != "lb-7f3a.2_x" {
		t.Fatalf("a sane id came back as %q", got)
	}
	for _, insane := range []string{"has space", strings.Repeat("a", 65), `quote"d`, "tab\tbed", "ünicode"} {
		got := e.DoRaw("GET", "/status", nil, "X-Request-Id", insane).Header.Get("X-Request-Id")
		if got == insane || !regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`).MatchString(got) {
			t.Fatalf("the insane id %q came back as %q", insane, got)
		}
		if strings.Contains(logs.String(), insane) {
			t.Fatalf("the insane id %q reached the log", insane)
		}
	}
	made := e.Do("GET", "/.well-known/jwks.json", nil).Header.Get("X-Request-Id")
	other := e.Do("GET", "/.well-known/jwks.json", nil).Header.Get("X-Request-Id")
	if made == "" || made == other {
		t.Fatalf("made ids %q and %q", made, other)
	}
	if n := len(linesWith(logs.String(), "msg=request", "request_id="+made)); n != 1 {
		t.Fatalf("%d access lines carry the made id %s:\n%s", n, made, logs.String())
	}

	// A request whose database write fails: the error the door logs (with
	// the request's context) and the access line both carry its id.
	armed.Store(true)
	r = e.DoRaw("POST", "/v1/user", map[string]string{"login": "ida@example.com", "password": "ida's password 1"}, "X-Request-Id", "signup-1")
	if r.Status != 500 || r.Header.Get("X-Request-Id") != "signup-1" {
		t.Fatalf("the failing sign-up: %d id %q %s", r.Status, r.Header.Get("X-Request-Id"), r.Body)
	}
	lines := linesWith(logs.String(), "request_id=signup-1")
	if len(lines) != 2 || !strings.Contains(lines[0], "internal error") || !strings.Contains(lines[1], "msg=request") {
		t.Fatalf("the failing sign-up's lines: %q\nlog:\n%s", lines, logs.String())
	}
	for _, l := range requestLine.FindAllString(logs.String(), -1) {
		if !strings.Contains(l, "request_id=") {
			t.Fatalf("an access line without an id: %s", l)
		}
	}
}

func TestAHealthyProbeIsLoggedAtDebugLevelAndCountedAndAnUnhealthyOneAtInfo(t *testing.T) {
	var logs lockedBuffer
	e := newEnv(t, testenv.SQLite, nil, func(o *testenv.Options) { o.Log = &logs })
	healthy := e.Do("GET", "/status", nil)
	if healthy.Status != 200 {
		t.Fatalf("/status: %d %s", healthy.Status, healthy.Body)
	}
	if lines := linesWith(logs.String(), "request_id="+healthy.Header.Get("X-Request-Id")); len(lines) != 0 {
		t.Fatalf("a healthy probe was logged at info: %q", lines)
	}
	wantSeries(t, scrape(t, e), map[string]float64{`gatehouse_http_requests_total{code="200",method="GET",route="GET /status"}`: 1})

	e.Srv.Health.BeginShutdown()
	stopping := e.Do("GET", "/status", nil)
	if stopping.Status != 503 {
		t.Fatalf("/status while stopping: %d %s", stopping.Status, stopping.Body)
	}
	if lines := linesWith(logs.String(), "msg=request", "status=503", "request_id="+stopping.Header.Get("X-Request-Id")); len(lines) != 1 {
		t.Fatalf("the probe answered 503 has %d access lines, want 1:\n%s", len(lines), logs.String())
	}
}

func TestMetricsCountRequestsLoginsAndRefusalsByRoutePatternOnBothDatabases(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, limited("exists=1/0/0"))
		admin := bearer(adminToken)
		for _, email := range []string{"pia@example.com", "cas@example.com"} {
			if r := e.Do("POST", "/admin/v1/users", map[string]any{"email": email, "password": "long password 1", "email_confirmed": true}, admin...); r.Status != 201 {
				t.Fatalf("create %s: %d %s", email, r.Status, r.Body)
			}
		}
		if r := loginAs(e, "pia@example.com", "long password 1"); r.Status != 200 {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		loginAs(e, "pia@example.com", "wrong password")
		if r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "cas@example.com", "password": "long password 1"}); r.Status != 200 {
			t.Fatalf("cashdesk: %d %s", r.Status, r.Body)
		}
		bank := newBankUser(t, e, "bea@example.com", "bea's password 1")
		accessOf(t, bank.step1(t, "bea@example.com", "bea's password 1"))
		bank.step1(t, "bea@example.com", "not bea's password")
		for i := 0; i < 2; i++ {
			e.Do("GET", "/v1/user/address/exists?email=zed@example.com", nil)
		}
		for _, code := range []string{"abc", "def", "ghi"} {
			e.Do("GET", "/v1/user/confirm/"+code, nil)
		}

		m := scrape(t, e)
		wantSeries(t, m, map[string]float64{
			`gatehouse_http_requests_total{code="200",method="POST",route="POST /v1/auth/login"}`:        1,
			`gatehouse_http_requests_total{code="401",method="POST",route="POST /v1/auth/login"}`:        1,
			`gatehouse_http_requests_total{code="429",method="GET",route="GET /v1/user/address/exists"}`: 1,
			`gatehouse_http_request_duration_seconds_count{route="POST /api/v2/authenticate"}`:           1,
			`gatehouse_logins_total{door="platform",outcome="succeeded"}`:                                1,
			`gatehouse_logins_total{door="platform",outcome="failed"}`:                                   1,
			`gatehouse_logins_total{door="cashdesk",outcome="succeeded"}`:                                1,
			`gatehouse_logins_total{door="bank",outcome="succeeded"}`:                                    1,
			`gatehouse_logins_total{door="bank",outcome="failed"}`:                                       1,
			`gatehouse_rate_limit_refused_total{endpoint="exists"}`:                                      1,
			`gatehouse_password_hash_refused_total`:                                                      0,
			`gatehouse_password_hashes_in_flight`:                                                        0,
			`gatehouse_ready`:                                                                            1,
			`gatehouse_build_info{commit="test",version="test"}`:                                         1,
			`gatehouse_go_sql_max_open_connections{db_name="main"}`:                                      maxOpen(b),
		})
		var confirms float64
		for name, v := range m {
			if strings.HasPrefix(name, "gatehouse_http_requests_total{") && strings.Contains(name, `route="GET /v1/user/confirm/{code}"`) {
				confirms += v
			}
			if strings.Contains(name, "abc") || strings.Contains(name, "zed@") || strings.Contains(name, "pia@") {
				t.Errorf("a series names what a client sent: %s", name)
			}
		}
		if confirms != 3 {
			t.Errorf("three confirmations under their pattern: %v", confirms)
		}
		for _, family := range []string{"gatehouse_mail_outbox_pending", `gatehouse_outbox_pending{channel="sms"}`, "go_goroutines", "process_resident_memory_bytes"} {
			if _, ok := m[family]; !ok {
				t.Errorf("no %s", family)
			}
		}
	})
}

func maxOpen(b testenv.Backend) float64 {
	if b == testenv.Postgres {
		return 20
	}
	return 8
}

// Ten thousand requests with distinct paths, ids, users and methods add
// no series: labels are route patterns and fixed words. (The public
// listener's families: everything a client can influence.)
func TestTenThousandDistinctPathsIdsAndUsersAddNoSeries(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.LockoutPairThreshold, c.LockoutAccountThreshold = 0, 0 })
	kinds := []func(i int) *http.Request{
		func(i int) *http.Request { return req(e, "GET", fmt.Sprintf("/v1/user/confirm/code-%d", i), "") },
		func(i int) *http.Request { return req(e, "GET", fmt.Sprintf("/no/such/path/%d", i), "") },
		func(i int) *http.Request {
			return req(e, "POST", "/v1/auth/login", fmt.Sprintf(`{"username":"user-%d@example.com","password":"password %d"}`, i, i))
		},
		func(i int) *http.Request { return req(e, fmt.Sprintf("BREW%d", i), "/status", "") },
		func(i int) *http.Request {
			return req(e, "GET", fmt.Sprintf("/v1/user/address/exists?email=u%d@example.com", i), "")
		},
		func(i int) *http.Request { return req(e, "DELETE", fmt.Sprintf("/v1/user/sessions/%d", i), "") },
	}
	send := func(from, to int) {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		next.Store(int64(from))
		for range 4 {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < to; i = int(next.Add(1)) - 1 {
					r := kinds[i%len(kinds)](i)
					r.Header.Set("X-Request-Id", fmt.Sprintf("id-%d", i))
					res, err := e.Client.Do(r)
					if err != nil {
						t.Error(err)
						return
					}
					res.Body.Close()
				}
			})
		}
		wg.Wait()
	}
	count := func() int {
		n := 0
		for name := range scrape(t, e) {
			if strings.HasPrefix(name, "gatehouse_http_") || strings.HasPrefix(name, "gatehouse_logins_") {
				n++
			}
		}
		return n
	}
	send(0, 600)
	warm := count()
	send(600, 10_000)
	if after := count(); after != warm || after > 200 {
		t.Fatalf("%d series after 600 requests, %d after 10 000: want the same, and few", warm, after)
	}
	if m := scrape(t, e); m[`gatehouse_logins_total{door="platform",outcome="failed"}`] < 1600 {
		t.Fatalf("the logins were not counted: %v", m[`gatehouse_logins_total{door="platform",outcome="failed"}`])
	}
}

func req(e *testenv.Env, method, path, body string) *http.Request {
	r, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}
