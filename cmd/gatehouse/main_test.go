package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the gatehouse command in-process against a database of the test.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	dir := t.TempDir()
	return &cli{t: t, env: map[string]string{"GATEHOUSE_DATABASE_URL": "sqlite://" + filepath.Join(dir, "g.db")}}
}

func (c *cli) run(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return c.env[k] }, &out, &errOut)
	return out.String(), err
}

func (c *cli) user(args ...string) map[string]any {
	c.t.Helper()
	out, err := c.run(append([]string{"user"}, args...)...)
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
	c := newCLI(t)
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

func TestUnknownCommandsAreRefused(t *testing.T) {
	if _, err := newCLI(t).run("frobnicate"); err == nil {
		t.Fatal("want an error")
	}
}

func TestBuildInfoCanBeOverriddenWithLdflags(t *testing.T) {
	buildVersion, buildCommit = "v9.9.9", "abc123"
	defer func() { buildVersion, buildCommit = "", "" }()
	out, _ := newCLI(t).run("version")
	if !strings.Contains(out, "v9.9.9") || !strings.Contains(out, "abc123") {
		t.Fatalf("version: %q", out)
	}
}
