package password

import (
	"slices"
	"testing"
)

func TestTheWorkersMemoryLimitIsOneBufferPerPoolWorkerAndTheMargin(t *testing.T) {
	for _, c := range []struct {
		workers int
		p       Params
		want    int64
	}{
		{2, DefaultParams(), 2*19<<20 + 24<<20},
		{1, DefaultParams(), 19<<20 + 24<<20},
		{8, Params{Memory: 64 * 1024}, 8*64<<20 + 24<<20},
		{0, Params{}, 19<<20 + 24<<20}, // no pool size yet, default cost: one buffer
	} {
		if got := WorkerMemoryLimit(c.workers, c.p); got != c.want {
			t.Errorf("WorkerMemoryLimit(%d, %d KiB) = %d; want %d", c.workers, c.p.Memory, got, c.want)
		}
	}
}

func TestAWorkerWithAMemoryLimitCollectsOnlyAfterEachHashAndOneWithoutKeepsGOGC(t *testing.T) {
	if got, want := workerEnv(54<<20), []string{"GOMEMLIMIT=56623104", "GOGC=off"}; !slices.Equal(got, want) {
		t.Errorf("workerEnv(54 MiB) = %q; want %q", got, want)
	}
	if got := workerEnv(0); got == nil || len(got) != 0 {
		t.Errorf("workerEnv(0) = %#v; want an empty environment, not the server's", got)
	}
}

func TestHashesEndedBeforeACollectionBeganShareItAndALaterOneGetsItsOwn(t *testing.T) {
	calls := 0
	c := &collector{gc: func() { calls++ }}
	// two hashes end, then both ask: the first collection frees both blocks
	first, second := c.started.Load(), c.started.Load()
	c.collect(first)
	c.collect(second)
	if calls != 1 {
		t.Fatalf("two hashes ended before one collection: %d collections; want 1", calls)
	}
	// a hash that ends once that collection has begun needs one of its own
	c.afterHash()
	if calls != 2 {
		t.Fatalf("a hash ended after the last collection began: %d collections; want 2", calls)
	}
}
