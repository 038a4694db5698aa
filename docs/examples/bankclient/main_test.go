package main

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheExampleLogsInAgainstTheServer runs the documented Go example
// against a whole Gatehouse.
func TestTheExampleLogsInAgainstTheServer(t *testing.T) {
	e := testenv.New(t, testenv.Options{Backend: testenv.SQLite, Config: func(c *config.Config) { c.AdminToken = "t" }})
	admin := []string{"Authorization", "Bearer t"}
	if r := e.Do("POST", "/admin/v1/users", map[string]any{"email": "ann@bank.test", "password": "correct horse battery", "email_confirmed": true}, admin...); r.Status != 201 {
		t.Fatalf("create user: %d %s", r.Status, r.Body)
	}
	if r := e.Do("PUT", "/admin/v1/users/ann@bank.test/bank-profile", map[string]any{"iin": "900101300126"}, admin...); r.Status != 200 {
		t.Fatalf("bank profile: %d %s", r.Status, r.Body)
	}
	out, err := login(e.Client, e.URL, "900101300126", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if out["role"] != "ANONYMOUS" || out["cus_unique_idn"] != "900101300126" || out["decrypted_username"] != "900101300126" {
		t.Fatalf("answer %v", out)
	}
	// What main prints: the tokens, for step 2 to follow.
	var b strings.Builder
	if err := report(&b, out); err != nil {
		t.Fatal(err)
	}
	want := "# role ANONYMOUS, customers []\nTOKEN1='" + out["access_token"].(string) + "'\nREFRESH1='" + out["refresh_token"].(string) + "'\n"
	if b.String() != want {
		t.Fatalf("report printed\n%s\nwant\n%s", b.String(), want)
	}
	r := e.Do("POST", "/auth/oauth/token?grant_type=customer&customer_id=1", "{}", "Authorization", "Bearer "+out["access_token"].(string))
	if r.Status != 400 || r.Map(t)["error"] != "invalid_grant" { // step 2 follows with TOKEN1 (no customer here)
		t.Fatalf("step 2 with TOKEN1: %d %s", r.Status, r.Body)
	}
	if _, err := login(e.Client, e.URL, "ann@bank.test", "wrong password"); err == nil {
		t.Fatal("a wrong password logged in")
	}
}
