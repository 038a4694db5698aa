package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
)

// gatehouse runs this test binary as the gatehouse command (TestMain) in
// dir, with env added to a bare environment, and returns its output and
// exit status.
func gatehouse(t *testing.T, dir string, env []string, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"GATEHOUSE_TEST_CLI_MAIN=1", "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

func TestHelpAtEveryLevelExitsZeroListingCommandsAndDefaults(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"serve", "migrate", "user", "bank", "register", "developer", "audit", "backup", "key", "healthcheck", "version",
			"--access-ttl duration", "(default 15m)", "GATEHOUSE_ACCESS_TTL", `(default "127.0.0.1:8080")`}},
		{[]string{"help"}, []string{"Available Commands", "user"}},
		{[]string{"-h"}, []string{"Available Commands"}},
		{[]string{"user", "--help"}, []string{"create", "list", "totp-remove", "--output", `(default "table")`}},
		{[]string{"help", "user"}, []string{"create", "rename"}},
		{[]string{"user"}, []string{"create", "rename"}},
		{[]string{"user", "create", "--help"}, []string{"--password-stdin", "--email", "printf"}},
		{[]string{"user", "list", "--help"}, []string{"--limit int", "(default 50)"}},
		{[]string{"bank", "role-create", "--help"}, []string{"--chains", "--device-skip"}},
		{[]string{"migrate", "--help"}, []string{"--check", "--database-url"}},
		{[]string{"key", "rotate-master", "--help"}, []string{"GATEHOUSE_MASTER_KEY_PREVIOUS"}},
		{[]string{"--version"}, []string{"gatehouse "}},
	} {
		out, errOut, status := gatehouse(t, dir, nil, "", tc.args...)
		if status != 0 {
			t.Errorf("gatehouse %v: exit %d, stderr %q", tc.args, status, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("gatehouse %v does not show %q:\n%s", tc.args, w, out)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("help created files: %v", entries)
	}
}

func TestExitStatusesTellAFailureFromACommandLineThatDoesNotFit(t *testing.T) {
	c := newCLI(t)
	env := []string{"GATEHOUSE_DATABASE_URL=" + c.env["GATEHOUSE_DATABASE_URL"]}
	for _, tc := range []struct {
		args   []string
		status int
		say    string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate" for "gatehouse" (commands: audit, backup, bank`},
		{[]string{"user", "frobnicate"}, 2, `unknown command "frobnicate" for "gatehouse user"`},
		{[]string{"user", "show"}, 2, "missing argument: gatehouse user show REF"},
		{[]string{"user", "list", "--limit", "many"}, 2, "--limit"},
		{[]string{"user", "list", "--output", "xml"}, 2, `--output "xml": want table or json`},
		{[]string{"--adr", "x"}, 2, "unknown flag: --adr"},
		{[]string{"user", "show", "nobody@example.com"}, 1, `no user with e-mail "nobody@example.com"`},
		{[]string{"user", "lock", "4242"}, 1, `no user with id "4242"`},
		{[]string{"user", "list"}, 0, "(none)"},
	} {
		out, errOut, status := gatehouse(t, t.TempDir(), env, "", tc.args...)
		if status != tc.status || !strings.Contains(out+errOut, tc.say) {
			t.Errorf("gatehouse %v: exit %d, %q %q; want exit %d saying %q", tc.args, status, out, errOut, tc.status, tc.say)
		}
		if strings.Contains(errOut, "sqlstore.") || strings.Contains(errOut, "not_found") {
			t.Errorf("gatehouse %v shows an internal error string: %s", tc.args, errOut)
		}
		if tc.status == 2 && !strings.Contains(errOut, "--help' for usage") {
			t.Errorf("gatehouse %v: the refusal does not point at the help: %s", tc.args, errOut)
		}
	}
}

func TestNoCommandButServeAndMigrateCreatesADatabase(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"user", "list"}, {"user", "show", "a@example.com"}, {"bank", "client-list"}, {"register", "list"},
		{"developer", "list"}, {"audit"}, {"backup", "b.db"}, {"migrate", "--check"}, {"key", "rotate-master"}} {
		_, errOut, status := gatehouse(t, dir, nil, "", args...)
		want := "no database at " + filepath.Join(dir, "gatehouse.db") + ": "
		if status != 1 || !strings.Contains(errOut, want) {
			t.Errorf("gatehouse %v in an empty directory: exit %d, %q; want exit 1 naming %s", args, status, errOut, want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("gatehouse %v created %v", args, entries[0].Name())
		}
	}
	if out, errOut, status := gatehouse(t, dir, nil, "", "migrate"); status != 0 || !strings.Contains(out, "applied 0001") {
		t.Fatalf("migrate: %d %q %q", status, out, errOut)
	}
	if out, _, status := gatehouse(t, dir, nil, "", "user", "list"); status != 0 || !strings.Contains(out, "(none)") {
		t.Fatalf("user list after migrate: %d %q", status, out)
	}
}

func TestThePasswordIsReadFromStandardInput(t *testing.T) {
	c := newCLI(t)
	out, errOut, err := c.runIO("correct horse 1\n", "user", "create", "--email", "ann@example.com", "--password-stdin", "--confirmed")
	if err != nil || !strings.Contains(out, "ann@example.com") {
		t.Fatalf("create: %q %q %v", out, errOut, err)
	}
	cfg, err := config.Load(nil, func(k string) string { return c.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Identity.Authenticate(context.Background(), "ann@example.com", "correct horse 1"); err != nil {
		t.Fatalf("the password read from stdin does not sign in: %v", err)
	}
	if _, err := a.Identity.Authenticate(context.Background(), "ann@example.com", "correct horse 1\n"); err == nil {
		t.Fatal("the line break was kept in the password")
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"--password-stdin"}, "standard input held no password"},
		{"pw\n", []string{"--password-stdin", "--password", "long enough"}, "not both"},
		{"", nil, "a password is required: --password-stdin"},
	} {
		_, _, err := c.runIO(tc.stdin, append([]string{"user", "create", "--email", "bob@example.com"}, tc.args...)...)
		if err == nil || !strings.Contains(humanError(err), tc.want) {
			t.Errorf("%v with stdin %q: %v; want %q", tc.args, tc.stdin, err, tc.want)
		}
	}
	if _, err := c.run("user", "show", "bob@example.com"); err == nil {
		t.Fatal("a refused create made an account")
	}
}

func TestOutputIsATableForPeopleAndJSONForPrograms(t *testing.T) {
	c := newCLI(t)
	c.user("create", "--email", "ann@example.com", "--password", "long enough", "--name", "Ann Lee", "--role", "ops", "--role", "admin")
	table, err := c.run("user", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "EMAIL") || !strings.Contains(lines[1], "ann@example.com") ||
		!strings.Contains(lines[1], "admin,ops") || !strings.HasPrefix(lines[2], "total:") {
		t.Fatalf("table:\n%s", table)
	}
	if !strings.Contains(lines[1], "Ann Lee") {
		t.Fatalf("the name is not shown:\n%s", table)
	}
	// The store refuses control characters; the table would not pass them on either.
	if got := printable("a\x1b[31mb\u202ec\td"); got != `a\u001b[31mb\u202ec\u0009d` {
		t.Fatalf("printable: %q", got)
	}
	var page struct {
		Users []map[string]any `json:"users"`
		Total int              `json:"total"`
	}
	js, err := c.run("user", "list", "-o", "json")
	if err != nil || json.Unmarshal([]byte(js), &page) != nil || page.Total != 1 || page.Users[0]["email"] != "ann@example.com" {
		t.Fatalf("json: %q %v", js, err)
	}
	show, _ := c.run("user", "show", "ann@example.com")
	if !strings.Contains(show, "email ") || !strings.Contains(show, "ann@example.com") {
		t.Fatalf("show:\n%s", show)
	}
	if out, _ := c.run("user", "delete", "ann@example.com", "-o", "json"); !strings.Contains(out, `"deleted": "ann@example.com"`) {
		t.Fatalf("delete as json: %q", out)
	}
}

func TestAnOperatorsCommandWarnsAboutUnknownVariables(t *testing.T) {
	c := newCLI(t)
	c.env["GATEHOUSE_ADRR"] = "127.0.0.1:9000"
	c.env["GATEHOUSE_TEST_ANYTHING"] = "1"
	_, errOut, err := c.runIO("", "user", "list")
	if err != nil || !strings.Contains(errOut, "warning: GATEHOUSE_ADRR is no Gatehouse setting and is ignored (did you mean GATEHOUSE_ADDR?)") ||
		strings.Contains(errOut, "GATEHOUSE_TEST_ANYTHING") {
		t.Fatalf("stderr %q, %v", errOut, err)
	}
}

func TestHumanErrorsShowTheDomainMessageNotTheOperation(t *testing.T) {
	wrapped := fmt.Errorf("sqlstore.UserByEmail: %w", core.ErrNotFound)
	if got := humanError(wrapped); got != "not found" {
		t.Fatalf("%q", got)
	}
	internal := errors.New("disk I/O error")
	if got := humanError(internal); got != "disk I/O error" {
		t.Fatalf("%q", got)
	}
}

// TestAUserWithoutRolesShowsAsOneTable: `roles none` clears the roles as
// the help says, and a user whose roles are empty prints as KEY VALUE
// lines with an empty roles row, not as an empty list.
func TestAUserWithoutRolesShowsAsOneTable(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("user", "create", "--email", "rolf@example.com", "--password", "long enough 1", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("user", "roles", "rolf@example.com", "none")
	if err != nil {
		t.Fatal(err)
	}
	js, err := c.run("user", "show", "rolf@example.com", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var u struct{ Roles []string }
	if err := json.Unmarshal([]byte(js), &u); err != nil || len(u.Roles) != 0 {
		t.Fatalf("roles after `roles none`: %v %v (%s)", u.Roles, err, js)
	}
	show, err := c.run("user", "show", "rolf@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{out, show} {
		if strings.Contains(o, "(none)") || !regexp.MustCompile(`(?m)^roles\s*$`).MatchString(o) || !regexp.MustCompile(`(?m)^email\s+rolf@example.com$`).MatchString(o) {
			t.Fatalf("a user without roles as a table:\n%s", o)
		}
	}
}
