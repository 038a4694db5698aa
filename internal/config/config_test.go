package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlagBeatsEnvironmentWhichBeatsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "g.yaml")
	os.WriteFile(file, []byte("addr: 127.0.0.1:7000\nlog-format: json\nrefresh-grace: 3s\nsources: a,b\n"), 0o600)
	c, err := Load([]string{"--config", file, "--addr", "127.0.0.1:9000"}, env(map[string]string{
		"GATEHOUSE_ADDR": "127.0.0.1:8000", "GATEHOUSE_LOG_FORMAT": "text",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.LogFormat != "text" || c.RefreshGrace != 3*time.Second || c.Sources != "a,b" {
		t.Fatalf("got addr=%s log=%s grace=%v sources=%s", c.Addr, c.LogFormat, c.RefreshGrace, c.Sources)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	c := Default()
	c.Addr = "nope"
	c.CredentialPaddings = "oaep,rot13"
	c.LogFormat = "xml"
	c.ReauthMaxAge = -time.Minute
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, name := range []string{"GATEHOUSE_ADDR", "GATEHOUSE_CREDENTIAL_PADDINGS", "GATEHOUSE_LOG_FORMAT", "GATEHOUSE_REAUTH_MAX_AGE"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestBadValuesAreRefusedWithTheVariableName(t *testing.T) {
	_, err := Load(nil, env(map[string]string{"GATEHOUSE_REFRESH_GRACE": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_REFRESH_GRACE") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedactedHidesSecretsAndURLPasswords(t *testing.T) {
	c := Default()
	c.AdminToken = "s3cret-admin"
	c.SMTPURL = "smtp://mailer:hunter2@mail.example:587"
	c.DatabaseURL = "postgres://app:pgpass@db/gh"
	got := strings.Join(strings.Fields(strings.Trim(strings.ReplaceAll(fmtAll(c.Redacted()), ",", " "), "[]")), " ")
	for _, secret := range []string{"s3cret-admin", "hunter2", "pgpass"} {
		if strings.Contains(got, secret) {
			t.Fatalf("redacted config leaks %q: %s", secret, got)
		}
	}
	if !strings.Contains(got, "mail.example") {
		t.Fatalf("redaction removed too much: %s", got)
	}
}

func fmtAll(kv []any) string {
	var b strings.Builder
	for _, v := range kv {
		b.WriteString(" ")
		b.WriteString(v.(string))
	}
	return b.String()
}

func TestTheShutdownDrainMustOutlastTheRequestDeadline(t *testing.T) {
	c := Default()
	if c.ShutdownDelay != 5*time.Second || c.ShutdownTimeout != 25*time.Second || c.RequestTimeout != 20*time.Second {
		t.Fatalf("defaults: delay %v, timeout %v, request %v", c.ShutdownDelay, c.ShutdownTimeout, c.RequestTimeout)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ drain, request time.Duration }{{20 * time.Second, 20 * time.Second}, {10 * time.Second, 20 * time.Second}} {
		c.ShutdownTimeout, c.RequestTimeout = tc.drain, tc.request
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_SHUTDOWN_TIMEOUT") || !strings.Contains(err.Error(), "GATEHOUSE_REQUEST_TIMEOUT") {
			t.Fatalf("drain %v, request deadline %v: %v", tc.drain, tc.request, err)
		}
	}
	c = Default()
	c.ShutdownDelay = -time.Second
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_SHUTDOWN_DELAY") {
		t.Fatalf("negative delay: %v", err)
	}
	c, err := Load([]string{"--shutdown-delay", "0s", "--shutdown-timeout", "40s", "--request-timeout", "30s"}, env(nil))
	if err != nil || c.ShutdownDelay != 0 || c.ShutdownTimeout != 40*time.Second || c.Validate() != nil {
		t.Fatalf("load: %+v %v", c, err)
	}
}
