package password

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// pool bounds the hashes in flight. slots is a semaphore: a caller holds
// one of its cap(slots) places while it hashes, so at most that many argon2
// buffers are ever live. Past cap(slots)+queue callers holding or awaiting
// a place (admitted), a caller is turned away at once; waiting counts those
// blocked on a place, for the stats. Callers wait in their own goroutine:
// the pool starts none.
type pool struct {
	slots   chan struct{}
	queue   int64
	maxWait time.Duration

	// admitted counts the callers holding or awaiting a slot; admission is
	// refused past cap(slots)+queue. A caller leaves it in release, before
	// its answer is written, so a client that sends its next request on
	// the answer never finds its previous one still counted. (Counting only
	// the waiters raced with a waiter handed a slot but not yet scheduled
	// to say so: spurious 503s with as many clients as slots plus queue;
	// BENCHMARKS.md.)
	admitted atomic.Int64

	running  atomic.Int64
	waiting  atomic.Int64
	rejected atomic.Uint64

	// onWait, when set (tests only), runs once a caller holds a waiting
	// place and before it blocks, so a test can line callers up without
	// sleeping.
	onWait func()
}

func newPool(workers, queue int, maxWait time.Duration) *pool {
	return &pool{slots: make(chan struct{}, workers), queue: int64(queue), maxWait: maxWait}
}

// do runs f in a slot. It returns core.ErrOverloaded without running f when
// the queue is full or no slot frees within maxWait, and ctx.Err() when ctx
// ends first.
func (p *pool) do(ctx context.Context, f func()) error {
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer p.release()
	f()
	return nil
}

func (p *pool) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.admitted.Add(1) > p.capacity() {
		p.admitted.Add(-1)
		p.rejected.Add(1)
		return core.ErrOverloaded
	}
	select {
	case p.slots <- struct{}{}:
		p.running.Add(1)
		return nil
	default:
	}
	p.waiting.Add(1)
	if p.onWait != nil {
		p.onWait()
	}
	timer := time.NewTimer(p.maxWait)
	defer timer.Stop()
	// A blocked send on a full channel is served in arrival order when a
	// slot frees, so a newcomer's non-blocking try above cannot jump the
	// queue. Each branch leaves the queue first thing, so that a caller
	// who got a slot stops counting against the queue at once.
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
		p.running.Add(1)
		return nil
	case <-timer.C:
		p.waiting.Add(-1)
		p.admitted.Add(-1)
		p.rejected.Add(1)
		return core.ErrOverloaded
	case <-ctx.Done():
		p.waiting.Add(-1)
		p.admitted.Add(-1)
		return ctx.Err()
	}
}

// saturated reports whether a caller arriving now would be turned away at
// once. It takes no place, so the answer may be stale by the time the
// caller asks for one; it is a cheap early refusal, not the admission.
func (p *pool) saturated() bool {
	return p.admitted.Load() >= p.capacity()
}

// capacity is how many callers may hold or await a slot at once.
func (p *pool) capacity() int64 { return int64(cap(p.slots)) + p.queue }

func (p *pool) release() {
	p.running.Add(-1)
	p.admitted.Add(-1)
	<-p.slots
}

// Stats are the pool's gauges and counters, for metrics.
type Stats struct {
	Running  int64  // hashes in progress now
	Waiting  int64  // callers waiting for a slot now
	Rejected uint64 // callers turned away with ErrOverloaded since start
}

func (p *pool) stats() Stats {
	return Stats{Running: p.running.Load(), Waiting: p.waiting.Load(), Rejected: p.rejected.Load()}
}
