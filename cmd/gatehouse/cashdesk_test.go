package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func (c *cliTest) json(args ...string) map[string]any {
	c.t.Helper()
	out, err := c.run(append(args, "--output", "json")...)
	if err != nil {
		c.t.Fatalf("gatehouse %v: %v", args, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		c.t.Fatalf("gatehouse %v printed %q", args, out)
	}
	return m
}

func TestTheRegisterAndDeveloperCommandsManageTheCashdeskRegistry(t *testing.T) {
	c := newCLI(t)
	u := c.user("create", "--email", "ivan@example.com", "--password", "long enough", "--confirmed")
	r := c.json("register", "create", "--name", "Каса 1", "4000055255")
	if r["fiscal_number"] != "4000055255" || r["name"] != "Каса 1" {
		t.Fatalf("create: %v", r)
	}
	id := fmt.Sprint(r["id"])
	if got := c.json("register", "assign", id, "ivan@example.com"); fmt.Sprint(got["user_ids"]) != fmt.Sprintf("[%v]", u["id"]) {
		t.Fatalf("assign: %v", got)
	}
	if list := c.json("register", "list"); len(list["registers"].([]any)) != 1 {
		t.Fatalf("list: %v", list)
	}
	if got := c.json("register", "unassign", id, "ivan@example.com"); len(got["user_ids"].([]any)) != 0 {
		t.Fatalf("unassign: %v", got)
	}
	if _, err := c.run("register", "create", "4000055255"); err == nil || !strings.Contains(err.Error(), "register_exists") {
		t.Fatalf("duplicate fiscal number: %v", err)
	}
	if _, err := c.run("register", "create", "40000-55"); err == nil || !strings.Contains(err.Error(), "fiscal_number") {
		t.Fatalf("bad fiscal number: %v", err)
	}

	d := c.json("developer", "create", "Acme POS")
	if got := c.json("developer", "set", "ivan@example.com", fmt.Sprint(d["id"])); got["developer_id"] != d["id"] {
		t.Fatalf("set: %v (developer %v)", got, d)
	}
	if got := c.json("developer", "set", "ivan@example.com", "none"); got["developer_id"] != nil {
		t.Fatalf("clear: %v", got)
	}
	if _, err := c.run("developer", "set", "ivan@example.com", "999"); err == nil {
		t.Fatal("an unknown developer was accepted")
	}
	if list := c.json("developer", "list"); len(list["developers"].([]any)) != 1 {
		t.Fatalf("developer list: %v", list)
	}
}
