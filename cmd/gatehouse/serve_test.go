package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
)

func TestTheLogLevelSettingFiltersTheServersLines(t *testing.T) {
	for level, want := range map[string][]slog.Level{
		"debug": {slog.LevelDebug, slog.LevelInfo},
		"info":  {slog.LevelInfo, slog.LevelWarn},
		"warn":  {slog.LevelWarn, slog.LevelError},
		"error": {slog.LevelError},
	} {
		cfg := config.Default()
		cfg.LogLevel, cfg.LogFormat = level, "json"
		var buf bytes.Buffer
		log := newLogger(cfg, &buf)
		if log.Enabled(context.Background(), want[0]-4) {
			t.Errorf("%s: level %v is logged", level, want[0]-4)
		}
		for _, l := range want {
			if !log.Enabled(context.Background(), l) {
				t.Errorf("%s: level %v is not logged", level, l)
			}
		}
		log.Error("x")
		if !strings.HasPrefix(buf.String(), `{"time":`) {
			t.Errorf("%s: not JSON: %s", level, buf.String())
		}
	}
}

// TestServeRefusesPostgreSQLWithoutAPublicURLAndWarnsAboutUnknownVariables:
// the nodes sharing a database must name one issuer, so serve stops at
// once, saying which setting is missing; the unknown variable it was
// started with is in its log first.
func TestServeRefusesPostgreSQLWithoutAPublicURLAndWarnsAboutUnknownVariables(t *testing.T) {
	c := newEmptyCLI(t)
	c.env["GATEHOUSE_DATABASE_URL"] = "postgres://gatehouse@127.0.0.1:1/none" // never reached: the settings are refused first
	c.env["GATEHOUSE_MASTER_KEY"] = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	c.env["GATEHOUSE_PUBLC_URL"] = "https://auth.example.com"
	_, log, err := c.runIO("", "serve")
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_PUBLIC_URL: required with PostgreSQL") {
		t.Fatalf("serve on PostgreSQL without a public URL: %v", err)
	}
	if !strings.Contains(log, "GATEHOUSE_PUBLC_URL is no Gatehouse setting and is ignored (did you mean GATEHOUSE_PUBLIC_URL?)") {
		t.Fatalf("the log does not warn about the typo:\n%s", log)
	}
	if strings.Contains(log, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") {
		t.Fatalf("the log shows the master key:\n%s", log)
	}
}

// TestServeWithATakenPortStopsBeforeTheAdminTokenIsMade: a first start
// whose port is taken must not spend the one showing of the generated
// admin token (it would be lost with the failed start); the next start,
// on free ports, shows it.
func TestServeWithATakenPortStopsBeforeTheAdminTokenIsMade(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	c := newEmptyCLI(t)
	c.env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = taken.Addr().String()
	_, stderr, err := c.runIO("", "serve")
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MANAGEMENT_ADDR") {
		t.Fatalf("serve with the management port taken: %v", err)
	}
	if strings.Contains(stderr, "admin API token") {
		t.Fatalf("a start that could not listen made and showed the admin token:\n%s", stderr)
	}
	if _, err := os.Stat(strings.TrimPrefix(c.env["GATEHOUSE_DATABASE_URL"], "sqlite://")); !os.IsNotExist(err) {
		t.Fatalf("a start that could not listen created the database: %v", err)
	}

	// The next start, on free ports, shows the token: run it until it has.
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = "off"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		cl := &cli{env: func(k string) string { return c.env[k] }, environ: c.environ, stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw}
		done <- cl.run(ctx, []string{"serve"})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	shown := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "the admin API token, shown this once") {
			shown = true
			cancel()
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("serve on free ports: %v", err)
	}
	if !shown {
		t.Fatal("the start on free ports did not show the admin token")
	}
}
