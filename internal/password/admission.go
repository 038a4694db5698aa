package password

import (
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// admission decides whether a caller may wait for a worker. It admits a
// caller while the wait it can expect — its place in the queue × the
// measured time of one hash ÷ the workers — is within maxWait, and turns
// it away at once beyond that. A fixed queue length cannot do this: a queue
// of one per worker refused ordinary bursts (sixteen people signing in at
// once on two cores) that the workers would have served within a second,
// while a longer fixed queue makes admitted callers wait seconds when
// hashes are slow. The budget is in time, which is what a client feels.
//
// Memory does not grow with the queue: only workers run argon2id and hold
// its buffer; a waiting caller holds a goroutine and its request, which the
// HTTP server holds anyway for every open connection.
type admission struct {
	workers int64
	queue   int64 // most callers waiting whatever their expected wait; 0: no count limit
	maxWait time.Duration

	mu   sync.Mutex
	mean time.Duration // moving average of one hash's time in a worker
}

// hashWeight is the weight of the newest measurement in the moving average:
// about the last eight hashes count, so the estimate follows a change of
// load (another process taking the cores) within a fraction of a second at
// the default cost, while one slow hash moves it by an eighth.
const hashWeight = 8

func newAdmission(workers, queue int, maxWait, prior time.Duration) *admission {
	return &admission{workers: int64(workers), queue: int64(queue), maxWait: maxWait, mean: max(prior, time.Microsecond)}
}

// observe adds the time one hash took in a worker to the moving average.
func (a *admission) observe(d time.Duration) {
	a.mu.Lock()
	a.mean = max(a.mean+(d-a.mean)/hashWeight, time.Microsecond)
	a.mu.Unlock()
}

// hashTime is the current estimate of one hash's time.
func (a *admission) hashTime() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mean
}

// wait is the expected wait of the n-th caller holding or awaiting a worker
// (n counts the running ones, the caller included): zero while a worker is
// free, else its place in the queue × one hash ÷ workers. The hashes
// running now are counted as whole ones, so the estimate errs long, on the
// side of answering within the budget.
func (a *admission) wait(n int64) time.Duration {
	place := n - a.workers
	if place <= 0 {
		return 0
	}
	return time.Duration(place) * a.hashTime() / time.Duration(a.workers)
}

// admits reports whether the n-th caller may wait, and its expected wait.
func (a *admission) admits(n int64) (bool, time.Duration) {
	w := a.wait(n)
	if a.queue < 0 && n > a.workers {
		return false, w
	}
	if a.queue > 0 && n-a.workers > a.queue {
		return false, w
	}
	return w <= a.maxWait, w
}

// overloaded is core.ErrOverloaded telling the client to come back once the
// queue it met has drained: its expected wait, in whole seconds at least
// one (RFC 9110 §10.2.3 Retry-After is in seconds).
func overloaded(wait time.Duration) error {
	return core.ErrOverloaded.WithRetry(max(wait, time.Second))
}

// priorHashTime is the estimate before the first hash is measured: argon2id
// fills memory × passes KiB; at 1 GiB of block work a second — slower than
// any server core measured in BENCHMARKS.md (1.7 GiB/s) — the guess errs
// long, so a burst at start-up is, if anything, refused a little early
// rather than kept waiting past the budget. Measurements move it like any
// other estimate, an eighth at a time: the first hashes after a start are
// the slowest (a fresh worker faults its memory in), and one of them taking
// the estimate over whole refused a burst that later hashes served.
func priorHashTime(p Params) time.Duration {
	kib := time.Duration(p.Memory) * time.Duration(p.Time)
	return kib * time.Second / (1 << 20)
}
