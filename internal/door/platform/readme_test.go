package platform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheReadmesFirstSessionRunsAsPasted runs README.md's "A first
// session, by hand" with bash, curl and jq against a real server: the
// commands after "# in another terminal:", with the test server's address
// for localhost:8080, and the mailed code typed at the prompt. ACCESS and
// REFRESH must be set by the commands themselves: the profile, the
// address and the refresh that use them must succeed.
func TestTheReadmesFirstSessionRunsAsPasted(t *testing.T) {
	testenv.NeedTools(t, "bash", "curl", "jq")
	blocks := testenv.ShellBlocks(t, "../../../README.md", "A first session, by hand")
	_, script, ok := strings.Cut(blocks[0], "# in another terminal:\n")
	if !ok || !strings.HasPrefix(blocks[0], "go run ./cmd/gatehouse\n") {
		t.Fatalf("the first session's block changed shape: %q", blocks[0])
	}
	e := testenv.New(t, testenv.Options{})
	script = strings.ReplaceAll(script, "localhost:8080", strings.TrimPrefix(e.URL, "http://"))
	// Each answer on a line of its own, so that the test can read them.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", strings.ReplaceAll(script, "\ncurl ", "\necho; curl "))
	cmd.Dir = t.TempDir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	if _, err := stdin.Write([]byte(code + "\n")); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the first session failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	}
	var answers []map[string]any
	for _, line := range strings.Split(out.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			answers = append(answers, m)
		}
	}
	// sign-up, confirm, profile, address, refresh (the public key is PEM).
	if len(answers) != 5 {
		t.Fatalf("%d JSON answers, want 5:\n%s", len(answers), out.String())
	}
	if answers[1]["status"] != "confirmed" || answers[2]["email"] != "ann@example.com" ||
		answers[3]["addressId"] == nil || answers[4]["access_token"] == nil || answers[4]["refresh_token"] == nil {
		t.Fatalf("answers %v", answers)
	}
	if !strings.Contains(out.String(), "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("no public key at the end:\n%s", out.String())
	}
}
