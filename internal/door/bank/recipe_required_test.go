package bank_test

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"os/exec"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheRequiredActionOfTheBankDocRunsAsPasted runs docs/bank.md's "The
// required action" block after the recipe it continues, with bash, curl,
// jq and openssl against a real server: the mailed code and then the
// authenticator's code (computed from the secret the block prints) are
// typed at the prompts.
func TestTheRequiredActionOfTheBankDocRunsAsPasted(t *testing.T) {
	testenv.NeedTools(t, "bash", "curl", "jq", "openssl")
	recipe := testenv.ShellBlocks(t, "../../../docs/bank.md", "From an empty server to a finished chain")
	action := testenv.ShellBlocks(t, "../../../docs/bank.md", "The required action")
	if len(recipe) != 3 || len(action) != 1 {
		t.Fatalf("the blocks changed shape: %d recipe blocks, %d of the required action", len(recipe), len(action))
	}
	e := testenv.New(t, testenv.Options{Config: func(c *config.Config) { c.AdminToken = "dev-admin-token" }})
	script := strings.ReplaceAll(recipe[1]+recipe[2]+action[0], "localhost:8080", strings.TrimPrefix(e.URL, "http://"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(e.Mail.Next(t, testenv.MailTimeout).Text)
	if _, err := io.WriteString(stdin, code+"\n"); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	secret := ""
	for secret == "" && sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if _, after, ok := strings.Cut(sc.Text(), "secret for the authenticator app: "); ok {
			secret = after // a curl's answer without a newline may precede it on the line
		}
	}
	if secret == "" {
		_ = cmd.Wait()
		t.Fatalf("the block printed no secret:\n%s\nstderr:\n%s", out.String(), stderr.String())
	}
	otp, err := totp.GenerateCode(secret, e.Clock.Now())
	if err != nil {
		t.Fatalf("secret %q: %v\n%s", secret, err, out.String())
	}
	if _, err := io.WriteString(stdin, otp+"\n"); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	rest, _ := io.ReadAll(stdout)
	out.Write(rest)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the block failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	}
	got := strings.ReplaceAll(out.String(), `":"`, `": "`)
	for _, want := range []string{`"role": "SIGNER"`, `"required_action": "CONFIGURE_TOTP"`, `"otp_strategy": "TOTP"`, `"chain_type": "TOTP"`, `"recovery_codes": [`} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %s:\n%s", want, got)
		}
	}
}
