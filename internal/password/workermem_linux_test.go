package password

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
)

// TestTheWorkerProcessRunsWithItsMemorySettingsAndNothingElse reads the
// child's environment as the kernel holds it: the memory limit and GOGC
// off, none of the server's variables.
func TestTheWorkerProcessRunsWithItsMemorySettingsAndNothingElse(t *testing.T) {
	t.Setenv("GATEHOUSE_MASTER_KEY", "not for the worker")
	h := newProcessHasher(t, "hash-worker", 0)
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", h.proc.cur.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for v := range bytes.SplitSeq(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		env = append(env, string(v))
	}
	if want := []string{"GOMEMLIMIT=67108864", "GOGC=off"}; !slices.Equal(env, want) {
		t.Fatalf("the worker's environment is %q; want %q", env, want)
	}
}

// TestAWorkerCollectingAfterEachHashAnswersConcurrentJobsWithTheirOwnKeys:
// hashes finishing together (two collections at once) each get their own
// right key back.
func TestAWorkerCollectingAfterEachHashAnswersConcurrentJobsWithTheirOwnKeys(t *testing.T) {
	ctx := context.Background()
	remote := newProcessHasher(t, "hash-worker", 0)
	local := newHasher(t, Options{Params: cheap})
	hashes := make([]string, 8)
	var wg sync.WaitGroup
	for i := range hashes {
		wg.Go(func() {
			h, err := remote.Hash(ctx, fmt.Sprintf("password %d", i))
			if err != nil {
				t.Error(err)
			}
			hashes[i] = h
		})
	}
	wg.Wait()
	for i, h := range hashes {
		if ok, _, err := local.Verify(ctx, h, fmt.Sprintf("password %d", i)); err != nil || !ok {
			t.Errorf("hash %d does not verify its own password: %v, %v", i, ok, err)
		}
		if ok, _, _ := local.Verify(ctx, h, fmt.Sprintf("password %d", (i+1)%len(hashes))); ok {
			t.Errorf("hash %d verifies another job's password", i)
		}
	}
}
