package password

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

// TestMain lets the test binary stand in for `gatehouse hash-worker`: run
// with the argument hash-worker it serves jobs; with hash-worker-crash it
// reads one job and exits without answering.
func TestMain(m *testing.M) {
	switch i := slices.Index(os.Args, "hash-worker"); {
	case i > 0:
		if err := WorkerMain(os.Args[i+1:], os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	case slices.Contains(os.Args, "hash-worker-crash"):
		io.ReadAtLeast(os.Stdin, make([]byte, 1), 1)
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// workerCommand is this test binary run as a hash worker of the given kind.
func workerCommand(kind string) []string {
	return []string{os.Args[0], "-test.run=^$", kind}
}

func newProcessHasher(t *testing.T, kind string, nice int) *Hasher {
	t.Helper()
	h := newHasher(t, Options{Params: cheap, Workers: 2, Process: &ProcessOptions{Command: workerCommand(kind), Nice: nice, MemoryLimit: 64 << 20}})
	t.Cleanup(h.Close)
	return h
}

func TestAHashWorkerProcessComputesTheKeysOfThisProcess(t *testing.T) {
	ctx := context.Background()
	remote := newProcessHasher(t, "hash-worker", 0)
	local := newHasher(t, Options{Params: cheap})
	for _, pair := range [][2]*Hasher{{remote, local}, {local, remote}} {
		hash, err := pair[0].Hash(ctx, "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, err := pair[1].Verify(ctx, hash, "correct horse"); err != nil || !ok {
			t.Fatalf("Verify(right password) = %v, %v; want true", ok, err)
		}
		if ok, _, err := pair[1].Verify(ctx, hash, "correct hors"); err != nil || ok {
			t.Fatalf("Verify(wrong password) = %v, %v; want false", ok, err)
		}
	}
	if ok, _, err := remote.Verify(ctx, "", "anything"); err != nil || ok {
		t.Fatalf("Verify against the dummy = %v, %v; want false, nil", ok, err)
	}
}

// TestAWorkerThatDiesWithAJobAnswersUnavailableNeverAWrongPassword: a
// worker that exits instead of answering makes the hash a 503 to retry —
// never a refused password, which the lockout would count.
func TestAWorkerThatDiesWithAJobAnswersUnavailableNeverAWrongPassword(t *testing.T) {
	ctx := context.Background()
	hash, err := newHasher(t, Options{Params: cheap}).Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	h := newProcessHasher(t, "hash-worker-crash", 0)
	ok, _, err := h.Verify(ctx, hash, "pw")
	if !errors.Is(err, core.ErrUnavailable) || ok {
		t.Fatalf("Verify with a worker that died = %v, %v; want ErrUnavailable", ok, err)
	}
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("Hash with a worker that died: %v; want ErrUnavailable", err)
	}
}

func TestAWorkerThatCannotStartStopsTheStartNotASignIn(t *testing.T) {
	_, err := New(Options{Params: cheap, Process: &ProcessOptions{Command: []string{"/nonexistent/gatehouse", "hash-worker"}}})
	if err == nil || !strings.Contains(err.Error(), "hash worker") {
		t.Fatalf("New with a worker that cannot start: %v; want an error naming the hash worker", err)
	}
}

func TestAKilledWorkerIsReplacedByTheNextHash(t *testing.T) {
	ctx := context.Background()
	h := newProcessHasher(t, "hash-worker", 0)
	if _, err := h.Hash(ctx, "first"); err != nil {
		t.Fatal(err)
	}
	first := h.proc.cur
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.dead // the reader saw its stdout end
	hash, err := h.Hash(ctx, "second")
	if err != nil {
		t.Fatalf("Hash after the worker was killed: %v; want a new worker to answer", err)
	}
	if h.proc.cur == first || h.proc.cur.cmd.Process.Pid == first.cmd.Process.Pid {
		t.Fatal("the dead worker was not replaced")
	}
	if ok, _, err := h.Verify(ctx, hash, "second"); err != nil || !ok {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
}
