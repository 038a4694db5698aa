package testenv

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// ShellBlocks returns the ```sh blocks of the "## section" of a Markdown
// document, in order: the commands a reader pastes, for a test to run.
func ShellBlocks(t testing.TB, doc, section string) []string {
	t.Helper()
	text, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur *strings.Builder
	in := false
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## "+section
		case !in:
		case cur == nil && line == "```sh":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if len(blocks) == 0 {
		t.Fatalf("%s has no shell block under %q", doc, section)
	}
	return blocks
}

// NeedTools skips the test, saying which tool is missing, unless every
// named command is installed; with GATEHOUSE_TEST_SERVICES=require it
// fails instead, as a missing database does.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" {
				t.Fatalf("%s is not installed: the documented commands need it", tool)
			}
			t.Skipf("%s is not installed: the documented commands need it", tool)
		}
	}
}
