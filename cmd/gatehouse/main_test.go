package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/buildinfo"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// cliTest runs the gatehouse command in-process against a database of the test.
type cliTest struct {
	t   *testing.T
	env map[string]string
}

// newCLI is a CLI on a migrated SQLite database of the test (only serve
// and migrate create one).
func newCLI(t *testing.T) *cliTest {
	t.Helper()
	c := newEmptyCLI(t)
	if _, err := c.run("migrate"); err != nil {
		t.Fatal(err)
	}
	return c
}

// newEmptyCLI is a CLI whose database file does not exist yet.
func newEmptyCLI(t *testing.T) *cliTest {
	dir := t.TempDir()
	return &cliTest{t: t, env: map[string]string{"GATEHOUSE_DATABASE_URL": "sqlite://" + filepath.Join(dir, "g.db")}}
}

func (c *cliTest) run(args ...string) (string, error) {
	out, _, err := c.runIO("", args...)
	return out, err
}

// runIO runs a command line with stdin as its standard input and returns
// what it wrote to stdout and stderr.
func (c *cliTest) runIO(stdin string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	cl := &cli{env: func(k string) string { return c.env[k] }, environ: c.environ, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	err := cl.run(context.Background(), args)
	return out.String(), errOut.String(), err
}

// environ is the test's variables in os.Environ's form.
func (c *cliTest) environ() []string {
	var out []string
	for k, v := range c.env {
		out = append(out, k+"="+v)
	}
	return out
}

// run is a command line run as main runs it, with the process's standard
// input and the variables env gives.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return (&cli{env: env, environ: func() []string { return nil }, stdin: os.Stdin, stdout: stdout, stderr: stderr}).run(ctx, args)
}

func (c *cliTest) user(args ...string) map[string]any {
	c.t.Helper()
	out, err := c.run(append(append([]string{"user"}, args...), "--output", "json")...)
	if err != nil {
		c.t.Fatalf("gatehouse user %v: %v", args, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		c.t.Fatalf("gatehouse user %v printed %q", args, out)
	}
	return m
}

func TestMigrateThenAgainIsUpToDate(t *testing.T) {
	c := newEmptyCLI(t)
	out, err := c.run("migrate")
	if err != nil || !strings.Contains(out, "applied 0001") {
		t.Fatalf("first migrate: %q %v", out, err)
	}
	if out, err := c.run("migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q %v", out, err)
	}
}

func TestTheUserCommandsManageAccounts(t *testing.T) {
	c := newCLI(t)
	u := c.user("create", "--email", "Op@Example.com", "--password", "long enough", "--confirmed", "--role", "admin", "--role", "ops")
	if u["email"] != "Op@Example.com" || u["email_confirmed"] != true || len(u["roles"].([]any)) != 2 {
		t.Fatalf("create: %v", u)
	}
	c.user("create", "--email", "two@example.com", "--password", "long enough")
	list := c.user("list", "--search", "two")
	if list["total"].(float64) != 1 {
		t.Fatalf("list: %v", list)
	}
	if got := c.user("lock", "op@example.com"); got["locked"] != true {
		t.Fatalf("lock: %v", got)
	}
	if got := c.user("unlock", u["uuid"].(string)); got["locked"] != false {
		t.Fatalf("unlock by uuid: %v", got)
	}
	if got := c.user("roles", "op@example.com", ""); len(got["roles"].([]any)) != 0 {
		t.Fatalf("roles cleared: %v", got)
	}
	if got := c.user("roles", "op@example.com", "a,b"); len(got["roles"].([]any)) != 2 {
		t.Fatalf("roles set: %v", got)
	}
	if got := c.user("roles", "op@example.com"); len(got["roles"].([]any)) != 0 {
		t.Fatalf("roles without a list are not cleared: %v", got)
	}
	if _, err := c.run("user", "delete", "two@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.run("user", "show", "two@example.com"); err == nil {
		t.Fatal("a deleted user is still shown")
	}
	if _, err := c.run("user", "create", "--email", "bad", "--password", "long enough"); err == nil || !strings.Contains(err.Error(), "e-mail") {
		t.Fatalf("bad e-mail: %v", err)
	}
}

func TestAnOperatorRemovesTheAuthenticatorOfAUserWhoLostIt(t *testing.T) {
	c := newCLI(t)
	u := c.user("create", "--email", "kim@example.com", "--password", "long enough", "--confirmed")
	withStore := func(fn func(st sqlstore.Backend, id int64)) {
		cfg, err := config.Load(nil, func(k string) string { return c.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		var st sqlstore.Backend
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
			app.Options{Stderr: io.Discard, WrapStore: func(b sqlstore.Backend) sqlstore.Backend { st = b; return b }})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		fn(st, int64(u["id"].(float64)))
	}
	withStore(func(st sqlstore.Backend, id int64) {
		now := time.Now()
		if err := st.PutTOTP(context.Background(), &identity.TOTPSecret{UserID: id, Sealed: []byte("sealed"), ConfirmedAt: &now, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	})
	if out, err := c.run("user", "totp-remove", "kim@example.com"); err != nil || !strings.Contains(out, "removed the authenticator of kim@example.com") {
		t.Fatalf("totp-remove: %q %v", out, err)
	}
	withStore(func(st sqlstore.Backend, id int64) {
		if _, err := st.TOTPOf(context.Background(), id); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the authenticator is still there: %v", err)
		}
	})
	if _, err := c.run("user", "totp-remove", "kim@example.com"); err == nil {
		t.Fatal("removing what is not there is not an error")
	}
}

func TestUnknownCommandsAreRefused(t *testing.T) {
	if _, err := newCLI(t).run("frobnicate"); err == nil {
		t.Fatal("want an error")
	}
}

func TestVersionPrintsTheStampedVersionCommitGoAndPlatform(t *testing.T) {
	buildinfo.Version, buildinfo.Commit = "v9.9.9", "abc123"
	defer func() { buildinfo.Version, buildinfo.Commit = "", "" }()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := newCLI(t).run(args...)
		for _, want := range []string{"v9.9.9", "abc123", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
			if err != nil || !strings.Contains(out, want) {
				t.Fatalf("%v printed %q, %v, without %q", args, out, err, want)
			}
		}
	}
}

func TestAnUnknownCommandIsAnsweredWithTheListOfEveryCommand(t *testing.T) {
	c := newCLI(t)
	_, err := c.run("nope")
	if err == nil {
		t.Fatal("an unknown command ran")
	}
	root := (&cli{}).root()
	for _, cmd := range root.Commands() {
		if cmd.Hidden || cmd.Name() == "help" {
			continue
		}
		if !strings.Contains(err.Error(), cmd.Name()) {
			t.Errorf("%v does not name %q", err, cmd.Name())
		}
	}
}
