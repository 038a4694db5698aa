package app

import (
	"os"
	"runtime"
	"runtime/debug"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/password"
)

// hasher is the password hasher: the test's, or argon2id with the default
// parameters on one worker per core. Callers wait for a worker while their
// expected wait is within GATEHOUSE_HASH_MAX_WAIT (at most half the request
// deadline: config.HashWait), and are refused at once beyond it
// (internal/password's admission). With GATEHOUSE_HASH_NICE and a
// hash-worker command, the hashes run in that child process at a lower
// priority, so that requests that do not hash are not kept waiting behind
// them (BENCHMARKS.md, latency isolation).
func (a *App) hasher() (identity.PasswordHasher, error) {
	if a.opts.Hasher != nil {
		return a.opts.Hasher, nil
	}
	cfg := a.Config
	workers, params := runtime.NumCPU(), password.DefaultParams()
	o := password.Options{Params: params, Workers: workers, MaxWait: cfg.HashWait()}
	buffers := int64(workers) * int64(params.Memory) * 1024
	if cfg.HashNice > 0 && len(a.opts.HashWorker) > 0 {
		o.Process = &password.ProcessOptions{Command: a.opts.HashWorker, Nice: cfg.HashNice, MemoryLimit: password.WorkerMemoryLimit(workers, params)}
	}
	h, err := password.New(o)
	if err != nil {
		return nil, err
	}
	a.closeHasher = h.Close
	if o.Process == nil && a.opts.LimitMemory {
		limitMemory(buffers)
	}
	return h, nil
}

// limitMemory sets a soft memory limit of the hash pool's argon2id buffers
// plus 48 MiB, unless GOMEMLIMIT says otherwise. Each hash allocates its
// whole buffer (19 MiB by default) and drops it when done; with GOGC alone
// the heap could double before the collector ran, and under a flood of
// logins the peak RSS passed pool × memory + 100 MiB. Near the limit the
// collector runs sooner instead. The margin is a trade measured in
// BENCHMARKS.md (change 9): at +32 MiB the scavenger handed every freed
// buffer back to the kernel and each hash faulted 19 MiB in again (logins
// at 72 % of an unlimited heap); at +64 MiB logins ran as fast as unlimited
// but a flood peaked at 131–140 MiB against the 138 MiB bound; +48 MiB keeps
// logins at 89 % and the flood's peak at about 115 MiB.
func limitMemory(buffers int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(buffers + 48<<20)
}
