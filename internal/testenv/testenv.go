// Package testenv starts a whole Gatehouse for a test: the real server
// wiring over real HTTP (httptest), a real SQLite file or PostgreSQL schema,
// a real SMTP server, an injected clock, cheap argon2 parameters and
// fixture keys. Every response a test reads through Do is checked against
// api/openapi.yaml.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/oidc"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/mail/mailtest"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/sms"
	"github.com/gatehouse/gatehouse/internal/sms/smstest"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Backend names a database for Env.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends runs fn once per backend as subtests (PostgreSQL skips, saying
// why, when the server is unreachable and GATEHOUSE_TEST_SERVICES is not
// "require").
func Backends(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range []Backend{SQLite, Postgres} {
		t.Run(string(b), func(t *testing.T) { fn(t, b) })
	}
}

// FuzzBackend is the backend of the fuzz targets that drive the whole
// server: SQLite, or PostgreSQL with GATEHOUSE_TEST_FUZZ_BACKEND=postgres
// (.ci/run runs their seed corpora on both).
func FuzzBackend(t testing.TB) Backend {
	switch b := Backend(os.Getenv("GATEHOUSE_TEST_FUZZ_BACKEND")); b {
	case "", SQLite:
		return SQLite
	case Postgres:
		return Postgres
	default:
		t.Fatalf("GATEHOUSE_TEST_FUZZ_BACKEND=%q: want sqlite or postgres", b)
		return ""
	}
}

// Options adjust the environment.
type Options struct {
	Backend Backend
	Config  func(*config.Config) // edits the configuration before start
	Log     io.Writer            // where the server logs; default discarded
	// Hasher replaces the cheap test hasher (the overload test bounds it).
	Hasher identity.PasswordHasher
	// WrapStore wraps the server's store (fault injection).
	WrapStore func(sqlstore.Backend) sqlstore.Backend
	// Browser tells the standard door who is signed in in a browser (the
	// hosted pages' part); nil: no sign-in.
	Browser oidc.Browser
	// Unstarted leaves serving to the test: Env.Listener is bound to
	// Env.URL and Env.ManagementListener to Env.ManagementURL, and the
	// test calls Srv.ServeManaged(ctx, Env.Listener, Env.ManagementListener),
	// which also runs the background jobs (the shutdown tests).
	Unstarted bool
}

// Env is a running Gatehouse.
type Env struct {
	URL string
	Srv *server.Server
	// Store is the database behind the server (wrapped as the test's
	// WrapStore wraps it), for a test to arrange rows or read what the
	// server wrote.
	Store  sqlstore.Backend
	Clock  *Clock
	Mail   *mailtest.Server
	SMS    *smstest.Memory // texts the bank door sent (with the default GATEHOUSE_SMS_URL=log:)
	Config config.Config
	Client *http.Client
	// Listener is bound to URL; with Options.Unstarted nothing serves on it
	// until the test calls Srv.Serve.
	Listener net.Listener
	// ManagementURL is the management listener's (/healthz, /readyz,
	// /metrics), on a port of its own as in production.
	ManagementURL      string
	ManagementListener net.Listener // with Options.Unstarted: bound, not served
	t                  testing.TB
}

// New starts a Gatehouse that lives as long as the test.
func New(t testing.TB, opt Options) *Env {
	t.Helper()
	e := &Env{t: t, Clock: NewClock(), Mail: mailtest.Start(t), SMS: smstest.NewMemory()}
	var handler http.Handler = http.NotFoundHandler()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	e.URL = "http://" + ts.Listener.Addr().String()

	cfg := config.Default()
	cfg.DatabaseURL = "sqlite://" + filepath.Join(t.TempDir(), "gatehouse.db")
	if opt.Backend == Postgres {
		cfg.DatabaseURL = pgtest.URL(t)
		cfg.MasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // fixture: base64 of 32 bytes
	}
	cfg.PublicURL = e.URL
	cfg.SMTPURL = e.Mail.URL()
	cfg.SMSURL = "log:"
	cfg.RateLimits = "off"
	if opt.Config != nil {
		opt.Config(&cfg)
	}
	// With log: the texts are captured in e.SMS instead of written out; a
	// test that names a gateway (or none) gets what it names.
	var texts sms.Sender
	if cfg.SMSURL == "log:" {
		texts = e.SMS
	}
	e.Config = cfg
	logw := opt.Log
	if logw == nil {
		logw = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logw, nil))
	// Cheap argon2 parameters: these tests exercise the flows; the password
	// package's own tests run the default cost.
	var hasher identity.PasswordHasher = opt.Hasher
	if hasher == nil {
		h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
		if err != nil {
			t.Fatal(err)
		}
		hasher = h
	}
	srv, err := server.New(context.Background(), cfg, log, server.Options{Version: "test", Commit: "test", Browser: opt.Browser, Options: app.Options{
		Now:    e.Clock.Now,
		Hasher: hasher,
		KeyGen: keystest.Generator(),
		SMS:    texts,
		Stderr: logw,
		WrapStore: func(b sqlstore.Backend) sqlstore.Backend {
			if opt.WrapStore != nil {
				b = opt.WrapStore(b)
			}
			e.Store = b
			return b
		},
	}})
	if err != nil {
		t.Fatalf("start gatehouse: %v", err)
	}
	e.Srv = srv
	e.Listener = ts.Listener
	if opt.Unstarted {
		mgmt, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		e.ManagementListener, e.ManagementURL = mgmt, "http://"+mgmt.Addr().String()
		t.Cleanup(func() { ts.Listener.Close(); mgmt.Close(); srv.Close() })
		e.Client = &http.Client{}
		return e
	}
	handler = srv.Handler()
	server.Harden(ts.Config)
	ms := httptest.NewUnstartedServer(srv.ManagementHandler())
	server.Harden(ms.Config)
	e.ManagementURL = "http://" + ms.Listener.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	srv.Start(ctx)
	ts.Start()
	ms.Start()
	t.Cleanup(func() { cancel(); ts.Close(); ms.Close(); srv.Close() })
	e.Client = ts.Client()
	return e
}

// For returns the environment bound to another test (a subtest), so that
// its failures stop the subtest and not its parent.
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.t = t
	return &c
}

// Response is a received answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Method and URL are the request that got this answer: the last of
	// the redirects the client followed (a hosted page's 303).
	Method string
	URL    *url.URL
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	m := map[string]any{}
	r.JSON(t, &m)
	return m
}

// Do sends a request and checks the answer against the OpenAPI document.
// body is sent raw when it is a string or []byte, as JSON otherwise; hdr
// holds header name/value pairs ("Authorization", "Bearer …").
func (e *Env) Do(method, path string, body any, hdr ...string) *Response {
	e.t.Helper()
	r := e.DoRaw(method, path, body, hdr...)
	req, _ := http.NewRequest(r.Method, r.URL.String(), nil)
	CheckAgainstSpec(e.t, e.Config.SourceList(), req, r.Status, r.Header, r.Body)
	return r
}

// DoRaw sends a request without the OpenAPI check (for answers the
// document cannot describe, such as a 405 of an unknown method).
func (e *Env) DoRaw(method, path string, body any, hdr ...string) *Response {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.Client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: raw, Method: res.Request.Method, URL: res.Request.URL}
}

// MailTimeout is how long a test waits for the outbox to deliver.
const MailTimeout = 10 * time.Second
