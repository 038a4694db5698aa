package oidc_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheStrictNodeRelyingPartyCompletesADeviceFlow runs openid-client's
// device flow (tools/oidc-rp: `node rp.mjs device`) as a public client:
// it asks for the codes, this test answers on ann's behalf as the /device
// page does, and the script's polling gets tokens whose id_token it
// validates, reads userinfo, and has the spent device code refused.
func TestTheStrictNodeRelyingPartyCompletesADeviceFlow(t *testing.T) {
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(rpDir, "node_modules", "openid-client")); err != nil || statErr != nil {
		if os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" {
			t.Fatalf("node (%v) or tools/oidc-rp/node_modules (%v) is missing: run npm ci in tools/oidc-rp", err, statErr)
		}
		t.Skip("node or tools/oidc-rp/node_modules is missing (npm ci in tools/oidc-rp)")
	}
	d := newDeviceRP(t, testenv.SQLite)
	d.Clock.Advance(time.Until(d.Clock.Now()) * -1) // openid-client judges iat by the real clock

	cmd := exec.Command(node, "rp.mjs", "device")
	cmd.Dir = rpDir
	cmd.Env = append(os.Environ(), "ISSUER="+d.URL, "CLIENT_ID=cli")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pipe)
	line := func() string {
		if !lines.Scan() {
			_ = cmd.Wait()
			t.Fatalf("rp.mjs device ended early: %v\n%s", lines.Err(), stderr.String())
		}
		return lines.Text()
	}
	var start struct {
		UserCode                string `json:"user_code"`
		VerificationURI         string `json:"verification_uri"`
		VerificationURIComplete string `json:"verification_uri_complete"`
		Interval                int    `json:"interval"`
	}
	if err := json.Unmarshal([]byte(line()), &start); err != nil || !userCodeShape.MatchString(start.UserCode) ||
		start.VerificationURI != d.URL+"/device" || start.Interval != 5 {
		t.Fatalf("device authorization as openid-client read it: %+v (%v)", start, err)
	}
	if err := d.answer(start.UserCode, true); err != nil {
		t.Fatalf("approval: %v", err)
	}
	var out struct {
		Sub, Email, Reused string
		Refresh            bool
	}
	if err := json.Unmarshal([]byte(line()), &out); err != nil {
		t.Fatalf("rp.mjs device: %v\n%s", err, stderr.String())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("rp.mjs device: %v\n%s", err, stderr.String())
	}
	if out.Sub != d.uuid || out.Email != "ann@example.com" || !out.Refresh || out.Reused != "invalid_grant" {
		t.Fatalf("openid-client's device flow: %+v, want sub %s, ann's address, a refresh token, the spent code invalid_grant", out, d.uuid)
	}
}
