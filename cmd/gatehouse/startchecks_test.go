package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// serving is a `gatehouse serve` run in-process whose standard error the
// test reads line by line.
type serving struct {
	t      *testing.T
	lines  chan string
	done   chan error
	cancel context.CancelFunc
	log    []string // every line read so far
}

// startServe runs serve with the test's variables (JSON log, no shutdown
// delay) until stop or the end of the test.
func startServe(t *testing.T, c *cliTest) *serving {
	t.Helper()
	c.env["GATEHOUSE_LOG_FORMAT"] = "json"
	c.env["GATEHOUSE_SHUTDOWN_DELAY"] = "0s"
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &serving{t: t, lines: make(chan string, 1024), done: make(chan error, 1), cancel: cancel}
	go func() {
		cl := &cli{env: func(k string) string { return c.env[k] }, environ: c.environ, stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw}
		s.done <- cl.run(ctx, []string{"serve"})
		pw.Close()
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	t.Cleanup(func() { s.stop() })
	return s
}

// until reads lines until one contains want, and returns it; it fails
// when serve ends first, or has not logged it within a generous bound (a
// line that never comes: the feature is missing).
func (s *serving) until(want string) string {
	s.t.Helper()
	bound := time.After(time.Minute)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("serve ended (%v) before logging %q:\n%s", <-s.done, want, strings.Join(s.log, "\n"))
			}
			s.log = append(s.log, line)
			if strings.Contains(line, want) {
				return line
			}
		case <-bound:
			s.t.Fatalf("no line with %q within a minute:\n%s", want, s.stop())
		}
	}
}

// stop ends serve and returns the whole log.
func (s *serving) stop() string {
	s.cancel()
	for line := range s.lines { // closed once serve has returned
		s.log = append(s.log, line)
	}
	return strings.Join(s.log, "\n")
}

// refused waits for serve to stop by itself and returns its error and
// log; a serve that starts listening instead fails the test (and stops).
func (s *serving) refused() (string, error) {
	s.t.Helper()
	for line := range s.lines {
		s.log = append(s.log, line)
		if strings.Contains(line, `"gatehouse listening"`) {
			s.t.Fatalf("serve started:\n%s", s.stop())
		}
	}
	return strings.Join(s.log, "\n"), <-s.done
}

// addr is the public listener's address, from the "gatehouse listening" line.
func (s *serving) addr() string {
	s.t.Helper()
	var rec struct{ Addr string }
	if err := json.Unmarshal([]byte(s.until(`"gatehouse listening"`)), &rec); err != nil || rec.Addr == "" {
		s.t.Fatalf("listening line: %v", err)
	}
	return rec.Addr
}

// TestServeWarnsAboutSettingsUnsafeOutsideDevelopment: each warning is one
// line of the start's log naming its setting, and a safe configuration
// gets none of them.
func TestServeWarnsAboutSettingsUnsafeOutsideDevelopment(t *testing.T) {
	c := newEmptyCLI(t)
	c.env["GATEHOUSE_ADDR"] = "0.0.0.0:0"
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "0.0.0.0:0"
	c.env["GATEHOUSE_PUBLIC_URL"] = "http://gatehouse.test"
	c.env["GATEHOUSE_ADMIN_TOKEN"] = "dev-admin-token"
	s := startServe(t, c)
	s.addr()
	log := s.stop()
	for _, setting := range []string{"GATEHOUSE_SMTP_URL", "GATEHOUSE_ADMIN_TOKEN", "GATEHOUSE_PUBLIC_URL", "GATEHOUSE_MANAGEMENT_ADDR"} {
		if n := warnings(t, log, setting); n != 1 {
			t.Errorf("%d warnings about %s, want one:\n%s", n, setting, log)
		}
	}

	c = newEmptyCLI(t)
	c.env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "127.0.0.1:0"
	c.env["GATEHOUSE_SMTP_URL"] = "smtp://127.0.0.1:1" // never dialled: nothing is mailed
	c.env["GATEHOUSE_ADMIN_TOKEN"] = strings.Repeat("k", 32)
	s = startServe(t, c)
	s.addr()
	log = s.stop()
	for _, setting := range []string{"GATEHOUSE_SMTP_URL", "GATEHOUSE_ADMIN_TOKEN", "GATEHOUSE_PUBLIC_URL", "GATEHOUSE_MANAGEMENT_ADDR"} {
		if n := warnings(t, log, setting); n != 0 {
			t.Errorf("a loopback start with SMTP and a long token is warned about %s:\n%s", setting, log)
		}
	}
}

// warnings counts the WARN records of a JSON log whose message starts
// with the setting's name.
func warnings(t *testing.T, log, setting string) int {
	n := 0
	for _, line := range strings.Split(log, "\n") {
		var rec struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Level == "WARN" && strings.HasPrefix(rec.Msg, setting+" ") {
			n++
		}
	}
	return n
}

// TestServeWithAShortAdminTokenAndAnHTTPSPublicURLIsRefused: on a public
// server the short token stops the start, saying how long it must be.
func TestServeWithAShortAdminTokenAndAnHTTPSPublicURLIsRefused(t *testing.T) {
	c := newEmptyCLI(t)
	c.env["GATEHOUSE_PUBLIC_URL"] = "https://auth.example.com"
	c.env["GATEHOUSE_ADMIN_TOKEN"] = "dev-admin-token"
	c.env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "off"
	_, err := startServe(t, c).refused()
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_ADMIN_TOKEN: 15 characters are too few with an https GATEHOUSE_PUBLIC_URL; want at least 32") {
		t.Fatalf("serve with a short admin token on https: %v", err)
	}
}

// TestWithoutSMTPAJSONLogCarriesTheMailAsOneRecord: a developer's server
// with GATEHOUSE_LOG_FORMAT=json prints the confirmation mail as one JSON
// record, so that every line of its standard error still parses.
func TestWithoutSMTPAJSONLogCarriesTheMailAsOneRecord(t *testing.T) {
	c := newEmptyCLI(t)
	c.env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "off"
	// Set, so that no token is generated: its one showing is plain text
	// on purpose (it must not become a record a log shipper keeps).
	c.env["GATEHOUSE_ADMIN_TOKEN"] = strings.Repeat("k", 32)
	s := startServe(t, c)
	base := "http://" + s.addr()
	res, err := http.Post(base+"/v1/user", "application/json", strings.NewReader(`{"login":"ann@example.com","password":"correct horse 1"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("sign-up: %d", res.StatusCode)
	}
	var mail struct{ Level, Msg, To, Subject, Text string }
	if err := json.Unmarshal([]byte(s.until(`"to":"ann@example.com"`)), &mail); err != nil {
		t.Fatalf("the mail's record is no JSON: %v", err)
	}
	if mail.Msg != "mail not sent: GATEHOUSE_SMTP_URL is empty" || !strings.Contains(mail.Text, "/v1/user/confirm/") {
		t.Fatalf("the mail's record: %+v", mail)
	}
	for _, line := range strings.Split(s.stop(), "\n") {
		if line != "" && !json.Valid([]byte(line)) {
			t.Errorf("a line of stderr is no JSON: %q", line)
		}
	}
}

// TestServeLogsNoPasswordOfADatabaseURL: a key=value connection string
// (refused) and a URL with the password in its query are logged without
// the password.
func TestServeLogsNoPasswordOfADatabaseURL(t *testing.T) {
	for _, dsn := range []string{"host=127.0.0.1 user=u password=x9secret dbname=db", "postgres://u@127.0.0.1:1/db?password=x9secret"} {
		c := newEmptyCLI(t)
		c.env["GATEHOUSE_DATABASE_URL"] = dsn
		c.env["GATEHOUSE_PUBLIC_URL"] = "http://127.0.0.1:8080"
		c.env["GATEHOUSE_MASTER_KEY"] = "short" // refused: serve stops before the database
		c.env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
		c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "off"
		log, err := startServe(t, c).refused()
		if err == nil {
			t.Fatalf("%s: serve started", dsn)
		}
		if !strings.Contains(log, "gatehouse starting") || strings.Contains(log, "x9secret") || strings.Contains(err.Error(), "x9secret") {
			t.Fatalf("%s: the password shows (or no start line):\n%s\n%v", dsn, log, err)
		}
	}
}

// TestServeWithABadMasterKeyLeavesTheDatabaseEmpty: the master key's form
// is checked with every other setting before the database is opened, so a
// refused start creates no table.
func TestServeWithABadMasterKeyLeavesTheDatabaseEmpty(t *testing.T) {
	dbURL := pgtest.URL(t)
	c := newEmptyCLI(t)
	c.env["GATEHOUSE_DATABASE_URL"] = dbURL
	c.env["GATEHOUSE_PUBLIC_URL"] = "http://127.0.0.1:8080"
	c.env["GATEHOUSE_MASTER_KEY"] = "short"
	c.env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "off"
	log, err := startServe(t, c).refused()
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MASTER_KEY") {
		t.Fatalf("serve with a short master key: %v", err)
	}
	if strings.Contains(log, "database migrated") {
		t.Fatalf("the database was migrated before the master key was refused:\n%s", log)
	}
	u, _ := url.Parse(dbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", u.Query().Get("search_path")).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("the refused start created %d tables", tables)
	}
}
