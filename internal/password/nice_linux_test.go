package password

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// niceness reads the nice value of every thread of pid (field 19 of
// /proc/<pid>/task/<tid>/stat).
func niceness(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(stats) == 0 {
		t.Fatalf("threads of %d: %v", pid, err)
	}
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // a thread that just ended
		}
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		n, err := strconv.Atoi(fields[16]) // state is field 3; nice is field 19
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// TestTheHashWorkerRunsNicedAndTheServerDoesNot: every thread of the worker,
// those its hash started included, runs 10 nicer than the server, whose
// own threads keep their priority.
func TestTheHashWorkerRunsNicedAndTheServerDoesNot(t *testing.T) {
	own := niceness(t, os.Getpid())[0]
	h := newProcessHasher(t, "hash-worker", 10)
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Fatal(err)
	}
	want := min(own+10, 19)
	for _, n := range niceness(t, h.proc.cur.cmd.Process.Pid) {
		if n != want {
			t.Fatalf("a worker thread has nice %d; want %d", n, want)
		}
	}
	for _, n := range niceness(t, os.Getpid()) {
		if n != own {
			t.Fatalf("a server thread has nice %d; want %d (only the worker is niced)", n, own)
		}
	}
}
