package bank_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheShellRecipeOfTheBankDocRunsAsPasted runs docs/bank.md's "From an
// empty server to a finished chain" with bash, curl, jq and openssl
// against a real server, as a new operator pastes it: only the address
// changes (localhost:8080 is the test server's), the server's start is the
// harness's, and the six digits the user reads from the mail are typed
// at the recipe's prompt.
func TestTheShellRecipeOfTheBankDocRunsAsPasted(t *testing.T) {
	testenv.NeedTools(t, "bash", "curl", "jq", "openssl")
	blocks := testenv.ShellBlocks(t, "../../../docs/bank.md", "From an empty server to a finished chain")
	if !strings.Contains(blocks[0], "GATEHOUSE_ADMIN_TOKEN=dev-admin-token go run ./cmd/gatehouse") || len(blocks) != 3 {
		t.Fatalf("the recipe's blocks changed shape (start, operator, sign-in): %q", blocks)
	}
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) { c.AdminToken = "dev-admin-token" }})
		host := strings.TrimPrefix(e.URL, "http://")
		script := strings.ReplaceAll(blocks[1]+blocks[2], "localhost:8080", host)
		if !strings.Contains(script, "read -r -p") {
			t.Fatal("the recipe no longer asks for the mailed code")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
		cmd.Dir = t.TempDir() // credential.pem lands here
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The code reaches the user by mail; they type it at the prompt.
		code := regexp.MustCompile(`\b\d{6}\b`).FindString(e.Mail.Next(t, testenv.MailTimeout).Text)
		if _, err := stdin.Write([]byte(code + "\n")); err != nil {
			t.Fatal(err)
		}
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("the recipe failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
		}
		got := out.String()
		for _, want := range []string{
			`"iin": "900115300003"`, `"phone": "+77011234567"`, // the profile was set (valid IIN and phone)
			`"role": "ANONYMOUS"`, `"name": "Koval Trading LLP"`, `"cus_unique_idn": "900115300003"`,
			`"role": "ACCOUNTANT"`, `"otp_strategy": "EMAIL"`, `"destination": "o***@example.com"`,
			`"chain_type": "OTP_EMAIL"`, `"suggest_add_device": true`, `"name": "laptop"`,
			"HTTP/1.1 200 OK",
		} {
			if !strings.Contains(strings.ReplaceAll(got, `":"`, `": "`), want) {
				t.Errorf("the recipe's output lacks %s:\n%s", want, got)
			}
		}
		if _, err := os.Stat(filepath.Join(cmd.Dir, "credential.pem")); err != nil {
			t.Errorf("the recipe wrote no credential.pem: %v", err)
		}
		// The revocation at its end ended the session for real.
		r := e.Do("GET", "/admin/v1/audit?type=session.revoked&user=olena@example.com", nil, "Authorization", "Bearer dev-admin-token")
		if n := len(r.Map(t)["events"].([]any)); r.Status != 200 || n < 1 {
			t.Errorf("no session.revoked after the recipe's revocation: %d %s", r.Status, r.Body)
		}
	})
}
