package password

import (
	"context"
	"sync/atomic"
	"time"
)

// pool bounds the hashes in flight. slots is a semaphore: a caller holds
// one of its cap(slots) places while it hashes, so at most that many argon2
// buffers are ever live. A caller who finds every slot taken waits for one
// if admission expects its wait within the budget, and is turned away at
// once otherwise (admission.go). Callers wait in their own goroutine: the
// pool starts none.
type pool struct {
	slots chan struct{}
	adm   *admission
	now   func() time.Time

	// admitted counts the callers holding or awaiting a slot; a caller's
	// place is the count it made by joining, so two callers arriving at
	// once never both take the last place. A caller leaves it in release,
	// before its answer is written, so a client that sends its next
	// request on the answer never finds its previous one still counted.
	// (Counting only the waiters raced with a waiter handed a slot but not
	// yet scheduled to say so: spurious 503s; BENCHMARKS.md.)
	admitted atomic.Int64

	running  atomic.Int64
	waiting  atomic.Int64
	rejected atomic.Uint64

	// onWait, when set (tests only), runs once a caller holds a waiting
	// place and before it blocks, so a test can line callers up without
	// sleeping.
	onWait func()
}

func newPool(workers int, adm *admission, now func() time.Time) *pool {
	return &pool{slots: make(chan struct{}, workers), adm: adm, now: now}
}

// do runs f in a slot and adds the time it took to the measured hash time.
// It returns core.ErrOverloaded (Retry-After the expected wait) without
// running f when the expected wait is beyond the budget, and ctx.Err() when
// ctx ends first.
func (p *pool) do(ctx context.Context, f func()) error {
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer p.release()
	start := p.now()
	f()
	p.adm.observe(p.now().Sub(start))
	return nil
}

func (p *pool) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ok, wait := p.adm.admits(p.admitted.Add(1)); !ok {
		p.admitted.Add(-1)
		p.rejected.Add(1)
		return overloaded(wait)
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
	// A blocked send on a full channel is served in arrival order when a
	// slot frees, so a newcomer's non-blocking try above cannot jump the
	// queue. An admitted caller waits until served or until its request's
	// deadline: giving up at the budget would throw away a wait already
	// spent, for a 503 the client would only retry.
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
		p.running.Add(1)
		return nil
	case <-ctx.Done():
		p.waiting.Add(-1)
		p.admitted.Add(-1)
		return ctx.Err()
	}
}

// refusal is the error a caller arriving now would get, nil if it would be
// admitted. It takes no place, so the answer may be stale by the time the
// caller asks for one; it is a cheap early refusal, not the admission.
func (p *pool) refusal() error {
	if ok, wait := p.adm.admits(p.admitted.Load() + 1); !ok {
		return overloaded(wait)
	}
	return nil
}

func (p *pool) release() {
	p.running.Add(-1)
	p.admitted.Add(-1)
	<-p.slots
}

// Stats are the pool's gauges and counters, for metrics.
type Stats struct {
	Running  int64         // hashes in progress now
	Waiting  int64         // callers waiting for a slot now
	Rejected uint64        // callers turned away with ErrOverloaded since start
	HashTime time.Duration // the moving average of one hash, which admission uses
}

func (p *pool) stats() Stats {
	return Stats{Running: p.running.Load(), Waiting: p.waiting.Load(), Rejected: p.rejected.Load(), HashTime: p.adm.hashTime()}
}
