package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// releaseScript runs scripts/release.sh for this machine's platform into a
// temporary directory and returns that directory and what it printed.
func releaseScript(t *testing.T, env ...string) (dist, out string, err error) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a release binary")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run scripts/release.sh")
	}
	dist = t.TempDir()
	cmd := exec.Command("sh", "../../scripts/release.sh", runtime.GOOS+"/"+runtime.GOARCH)
	cmd.Env = append(os.Environ(), append([]string{"DIST=" + dist}, env...)...)
	b, err := cmd.CombinedOutput()
	return dist, string(b), err
}

func TestTheReleaseScriptBuildsAStaticStampedBinaryWithItsChecksum(t *testing.T) {
	dist, out, err := releaseScript(t, "VERSION=v0.0.0-test.1", "COMMIT=0123abcd")
	if err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	name := "gatehouse-" + runtime.GOOS + "-" + runtime.GOARCH
	bin := filepath.Join(dist, name)

	version, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("gatehouse v0.0.0-test.1 (commit 0123abcd, %s, %s/%s)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if string(version) != want {
		t.Fatalf("version printed %q, want %q", version, want)
	}

	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Fatalf("built with CGO_ENABLED=%q -trimpath=%q, want 0 and true", settings["CGO_ENABLED"], settings["-trimpath"])
	}

	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if got, want := string(sums), hex.EncodeToString(sum[:])+"  "+name+"\n"; got != want {
		t.Fatalf("SHA256SUMS = %q, want %q", got, want)
	}
}

func TestTheReleaseScriptRefusesAVersionThatIsNotAPlainWord(t *testing.T) {
	dist, out, err := releaseScript(t, "VERSION=v1 -X main.evil=1")
	if err == nil || !strings.Contains(out, "not a plain version") {
		t.Fatalf("release.sh with a spaced VERSION: %v\n%s", err, out)
	}
	if entries, _ := os.ReadDir(dist); len(entries) != 0 {
		t.Fatalf("a refused release wrote %d files", len(entries))
	}
}
