package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// yamlFile writes a configuration file of the test and returns its name.
func yamlFile(t *testing.T, body string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "gatehouse.yaml")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestAYAMLListIsAList(t *testing.T) {
	c, err := Load([]string{"--config", yamlFile(t, "sources: [license, voting, extra]\ntrusted-proxies:\n  - 10.0.0.0/8\n  - 192.168.0.0/16\n")}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.SourceList(); strings.Join(got, "|") != "license|voting|extra" {
		t.Fatalf("sources = %q", got)
	}
	if got := c.Proxies(); len(got) != 2 || got[1] != "192.168.0.0/16" {
		t.Fatalf("trusted-proxies = %q", got)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBooleansAcceptTheWordsOfYAML11(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want bool
	}{{"no", false}, {"No", false}, {"off", false}, {"false", false}, {"n", false}, {"yes", true}, {"on", true}, {"true", true}, {"Y", true}} {
		c, err := Load([]string{"--config", yamlFile(t, "require-confirmed-email: "+tc.yaml+"\n")}, env(nil))
		if err != nil || c.RequireConfirmed != tc.want {
			t.Errorf("require-confirmed-email: %s → %v, %v; want %v", tc.yaml, c.RequireConfirmed, err, tc.want)
		}
		c, err = Load(nil, env(map[string]string{"GATEHOUSE_NEW_DEVICE_MAIL": tc.yaml}))
		if err != nil || c.NewDeviceMail != tc.want {
			t.Errorf("GATEHOUSE_NEW_DEVICE_MAIL=%s → %v, %v; want %v", tc.yaml, c.NewDeviceMail, err, tc.want)
		}
	}
	// A text setting keeps those words as written (YAML 1.2): no Norway problem.
	c, err := Load([]string{"--config", yamlFile(t, "phone-region: NO\nrate-limits: off\n")}, env(nil))
	if err != nil || c.PhoneRegion != "NO" || c.RateLimits != "off" {
		t.Fatalf("phone-region %q, rate-limits %q, %v", c.PhoneRegion, c.RateLimits, err)
	}
}

func TestValuesOfTheWrongTypeAreRefusedNamingTheSettingAndItsSource(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"require-confirmed-email: maybe", `config file`},
		{"require-confirmed-email: maybe", `require-confirmed-email (GATEHOUSE_REQUIRE_CONFIRMED_EMAIL): want true or false`},
		{"access-ttl: 15", "access-ttl (GATEHOUSE_ACCESS_TTL): want a duration with its unit"},
		{"access-ttl: soon", `want a duration such as 10s`},
		{"password-min-length: ten", `password-min-length (GATEHOUSE_PASSWORD_MIN_LENGTH): want a whole number, got "ten"`},
		{"password-min-length: 8.5", `want a whole number, got 8.5`},
		{"addr: [127.0.0.1, 8080]", "addr (GATEHOUSE_ADDR): want a single value, got a list"},
		{"addr: {host: 127.0.0.1}", `unknown key "addr.host"`},
		{"sources: [[a, b], c]", "sources (GATEHOUSE_SOURCES): list item 1"},
		{"sources: [a, 'b,c']", "list item 2: want a single value without a comma"},
		{"addr: [", "config file"},
	} {
		_, err := Load([]string{"--config", yamlFile(t, tc.yaml+"\n")}, env(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.yaml, err, tc.want)
		}
	}
	_, err := Load([]string{"--access-ttl", "15"}, env(map[string]string{"GATEHOUSE_HASH_NICE": "high"}))
	for _, want := range []string{"command line: access-ttl (GATEHOUSE_ACCESS_TTL)", `environment: hash-nice (GATEHOUSE_HASH_NICE): want a whole number, got "high"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("flag and variable: %v; want %q", err, want)
		}
	}
}

func TestUnknownYAMLKeysStopTheStartNamingEachKey(t *testing.T) {
	_, err := Load([]string{"--config", yamlFile(t, "adr: 127.0.0.1:9000\nlog-format: json\nfrobnicate: 1\n")}, env(nil))
	if err == nil {
		t.Fatal("unknown keys were accepted")
	}
	for _, want := range []string{`unknown key "adr" (did you mean "addr"?)`, `unknown key "frobnicate"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v does not say %s", err, want)
		}
	}
}

func TestUnknownGatehouseVariablesAreWarnedAbout(t *testing.T) {
	got := UnknownVariables([]string{"GATEHOUSE_ADRR=127.0.0.1:9000", "GATEHOUSE_ADDR=x", "GATEHOUSE_TEST_SERVICES=require",
		"GATEHOUSE_MASTER_KEY_FILE=/run/secrets/k", "GATEHOUSE_CONFIG=g.yaml", "HOME=/root", "GATEHOUSE_WHATEVER=1", "GATEHOUSE_ADDR_FILE=x"})
	want := []string{
		"GATEHOUSE_ADDR_FILE is no Gatehouse setting and is ignored (GATEHOUSE_ADDR has no _FILE variant: only the secrets and GATEHOUSE_DATABASE_URL have)",
		"GATEHOUSE_ADRR is no Gatehouse setting and is ignored (did you mean GATEHOUSE_ADDR?)",
		"GATEHOUSE_WHATEVER is no Gatehouse setting and is ignored",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSecretsAreReadFromFilesWithoutTheTrailingLineBreak(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	c, err := Load([]string{"--admin-token-file", write("admin", "from-a-flag-0123456789abcdef0123456789\n")}, env(map[string]string{
		"GATEHOUSE_MASTER_KEY_FILE":   write("master", key+"\r\n"),
		"GATEHOUSE_DATABASE_URL_FILE": write("db", "postgres://gh:pw@db/gh\n"),
		"GATEHOUSE_PUBLIC_URL":        "https://auth.example.com",
		"GATEHOUSE_SMTP_URL":          "smtp://from-the-environment:25",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterKey != key || c.AdminToken != "from-a-flag-0123456789abcdef0123456789" || c.DatabaseURL != "postgres://gh:pw@db/gh" {
		t.Fatalf("master %q admin %q db %q", c.MasterKey, c.AdminToken, c.DatabaseURL)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// A file of the environment beats the file's value (precedence holds).
	c, err = Load([]string{"--config", yamlFile(t, "sms-token: from-yaml\nredis-url-file: "+write("redis", "redis://r:6379/0")+"\n")},
		env(map[string]string{"GATEHOUSE_SMS_TOKEN_FILE": write("sms", "from-env-file\n")}))
	if err != nil || c.SMSToken != "from-env-file" || c.RedisURL != "redis://r:6379/0" {
		t.Fatalf("sms %q redis %q: %v", c.SMSToken, c.RedisURL, err)
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"GATEHOUSE_ADMIN_TOKEN": "a", "GATEHOUSE_ADMIN_TOKEN_FILE": write("a", "b")}, "GATEHOUSE_ADMIN_TOKEN and GATEHOUSE_ADMIN_TOKEN_FILE are both set"},
		{[]string{"--master-key", "x", "--master-key-file", write("m", "y")}, nil, "--master-key and --master-key-file are both set"},
		{[]string{"--config", yamlFile(t, "smtp-url: smtp://a\nsmtp-url-file: /x\n")}, nil, "smtp-url and smtp-url-file are both set"},
		{nil, map[string]string{"GATEHOUSE_MASTER_KEY_FILE": filepath.Join(dir, "absent")}, "GATEHOUSE_MASTER_KEY_FILE: open"},
		{nil, map[string]string{"GATEHOUSE_MASTER_KEY_FILE": write("empty", "\n")}, "is empty"},
		{nil, map[string]string{"GATEHOUSE_MASTER_KEY_FILE": write("big", strings.Repeat("k", maxSecretFile+1))}, "larger than"},
	} {
		_, err := Load(tc.args, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v; want %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestASecretReadFromAFileIsRedactedInTheLog(t *testing.T) {
	p := filepath.Join(t.TempDir(), "token")
	os.WriteFile(p, []byte("file-borne-secret\n"), 0o600)
	c, err := Load(nil, env(map[string]string{"GATEHOUSE_ADMIN_TOKEN_FILE": p}))
	if err != nil || c.AdminToken != "file-borne-secret" {
		t.Fatalf("%q %v", c.AdminToken, err)
	}
	if got := fmtAll(c.Redacted()); strings.Contains(got, "file-borne-secret") {
		t.Fatalf("the log shows the secret: %s", got)
	}
}

func TestThePublicURLFollowsTheAddressOnlyWhereThatIsWhatClientsReach(t *testing.T) {
	for _, tc := range []struct{ addr, db, want, refusal string }{
		{"127.0.0.1:9000", "", "http://127.0.0.1:9000", ""},
		{"localhost:9000", "", "http://localhost:9000", ""},
		{"[::1]:9000", "", "http://[::1]:9000", ""},
		{"auth.internal:8080", "sqlite:///var/lib/g.db", "http://auth.internal:8080", ""},
		{":8080", "", "", "not a loopback or named host"},
		{"0.0.0.0:8080", "", "", "not a loopback or named host"},
		{"10.1.2.3:8080", "", "", "not a loopback or named host"},
		{"127.0.0.1:8080", "postgres://db/gh", "", "required with PostgreSQL"},
	} {
		e := map[string]string{"GATEHOUSE_ADDR": tc.addr, "GATEHOUSE_DATABASE_URL": tc.db, "GATEHOUSE_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
		c, err := Load(nil, env(e))
		if err != nil {
			t.Fatal(err)
		}
		verr := c.Validate()
		if c.PublicURL != tc.want || (tc.refusal == "") != (verr == nil) ||
			(verr != nil && (!strings.Contains(verr.Error(), "GATEHOUSE_PUBLIC_URL: "+tc.refusal) && !strings.Contains(verr.Error(), tc.refusal))) {
			t.Errorf("addr %s db %q: public URL %q, %v; want %q, refusal %q", tc.addr, tc.db, c.PublicURL, verr, tc.want, tc.refusal)
		}
		e["GATEHOUSE_PUBLIC_URL"] = "https://auth.example.com"
		if c, _ := Load(nil, env(e)); c.PublicURL != "https://auth.example.com" || c.Validate() != nil {
			t.Errorf("addr %s db %q with the public URL set: %q, %v", tc.addr, tc.db, c.PublicURL, c.Validate())
		}
	}
}

func TestEveryFlagShowsItsVariableAndDefault(t *testing.T) {
	fs := newFlagSet()
	usage := fs.FlagUsages()
	for _, want := range []string{"--access-ttl duration", "(GATEHOUSE_ACCESS_TTL) (default 15m)", "(default 720h)", `(default "127.0.0.1:8080")`,
		"--master-key-file file", "--require-confirmed-email", "(default true)", "--config file"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q:\n%s", want, usage)
		}
	}
	if err := fs.Parse([]string{"--require-confirmed-email=no", "--new-device-mail", "--refresh-grace", "0"}); err != nil {
		t.Fatal(err)
	}
	c, err := FromFlags(fs, env(nil))
	if err != nil || c.RequireConfirmed || !c.NewDeviceMail || c.RefreshGrace != 0 || c.AccessTTL != 15*time.Minute {
		t.Fatalf("%+v %v", c, err)
	}
}
