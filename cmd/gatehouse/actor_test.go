package main

import (
	"encoding/json"
	"os"
	"os/user"
	"strconv"
	"testing"
)

// TestTheCLIsAuditActorNamesTheUserWithoutUSER: docker exec and cron run
// without $USER; the audit row still names who ran the command (docs:
// cli:USER), by the process's user name, else its uid.
func TestTheCLIsAuditActorNamesTheUserWithoutUSER(t *testing.T) {
	want := "cli:" + strconv.Itoa(os.Getuid())
	if u, err := user.Current(); err == nil && u.Username != "" {
		want = "cli:" + u.Username
	}
	c := newCLI(t) // its environment has no USER
	if _, _, err := c.runIO("correct horse 1\n", "user", "create", "--email", "ops@example.com", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.run("user", "lock", "ops@example.com"); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("audit", "--user", "ops@example.com", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Events []struct{ Type, Actor string }
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Events) == 0 {
		t.Fatalf("audit: %v\n%s", err, out)
	}
	for _, e := range log.Events {
		if e.Actor != want {
			t.Errorf("%s: actor %q, want %q", e.Type, e.Actor, want)
		}
	}
	c.env["USER"] = "ann"
	if _, err := c.run("user", "unlock", "ops@example.com"); err != nil {
		t.Fatal(err)
	}
	if out, _ := c.run("audit", "--user", "ops@example.com", "-o", "json"); json.Unmarshal([]byte(out), &log) != nil || log.Events[0].Actor != "cli:ann" {
		t.Fatalf("with USER=ann the newest row's actor is not cli:ann:\n%s", out)
	}
}
