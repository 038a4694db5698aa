package password

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// The hash worker's memory. Its heap holds little but argon2id's blocks:
// x/crypto allocates a fresh Params.Memory KiB for every hash and drops it
// when the key is made. Left to GOGC and a memory limit of the pool's
// buffers plus 48 MiB, the heap filled that limit before each collection,
// and under a flood of logins the worker's peak RSS (102–122 MiB with a
// pool of two) put the server's process family over its bound. A smaller
// limit alone lowered the peak but made the next hash's block grow the
// heap before the last one was collected, so the runtime returned pages to
// the kernel and each hash faulted its 19 MiB in again (BENCHMARKS.md "The
// hash worker's memory under the flood").
//
// So the worker collects its heap itself when a hash is done, before it
// answers (ServeWorker): the parent's pool sends the next job only for the
// answer, so the next block reuses the pages of the one just freed, which
// are still resident, and the heap stays at the hashes in flight. The
// collection marks only the worker's own small heap (the blocks are
// pointer-free), and two hashes ending together share one (collector).
// GOGC is off in the worker so that the runtime does not also collect on
// its own schedule; the memory limit stays as the bound.
//
// The limit's margin is a trade measured in BENCHMARKS.md. The runtime's
// small spans sometimes take the first pages of a freed block's hole, and
// the next block then grows the heap instead (a third block's pages): the
// limit caps that. At +16 MiB the limit's heap goal sits just above two
// blocks, so the runtime also collects on its own after most hashes, for
// nothing: a login cost 4–6 % more CPU. At +32 MiB a login costs what it
// did before, but a grown heap reaches 81–83 MiB of RSS. +24 MiB keeps the
// runtime's own collections rare, a login's CPU unchanged and the worst
// case at about 77 MiB.

// workerMargin is the worker's memory limit above the pool's argon2id
// buffers: the runtime's own memory and the binary's small heap (about 9
// MiB together), and room for the heap goal to stay clear of two blocks.
const workerMargin = 24 << 20

// WorkerMemoryLimit is the hash worker's Go memory limit (GOMEMLIMIT) in
// bytes for a pool of workers hashing with p: one argon2id buffer per
// worker, since the pool never sends more jobs at once, and workerMargin.
func WorkerMemoryLimit(workers int, p Params) int64 {
	p = p.withDefaults()
	return int64(max(workers, 1))*int64(p.Memory)*1024 + workerMargin
}

// workerEnv is the hash worker's whole environment: none of the server's
// (no secret reaches the child), only its memory settings. Without a
// memory limit GOGC stays on, since a worker collecting only after each
// hash would have nothing else to bound its heap.
func workerEnv(memoryLimit int64) []string {
	if memoryLimit <= 0 {
		return []string{}
	}
	return []string{"GOMEMLIMIT=" + strconv.FormatInt(memoryLimit, 10), "GOGC=off"}
}

// collector runs the worker's collection after each hash: one collection
// that starts after a hash has ended frees that hash's block, so a hash
// that ends while another's collection waits to start shares it.
type collector struct {
	mu      sync.Mutex
	started atomic.Uint64 // collections begun, counted before each begins
	gc      func()        // runtime.GC; tests count the calls
}

func newCollector() *collector { return &collector{gc: runtime.GC} }

// afterHash is called when a hash has ended and its block is garbage.
func (c *collector) afterHash() { c.collect(c.started.Load()) }

// collect runs a collection unless one has begun since ticket (the count
// of collections begun when the hash ended) was read.
func (c *collector) collect(ticket uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.Load() != ticket {
		return // a collection begun after the hash ended has freed its block
	}
	c.started.Add(1)
	c.gc()
}
