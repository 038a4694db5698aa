package bench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// RunConfig says how to drive a scenario.
type RunConfig struct {
	// Concurrency is the number of workers: in closed loop each sends its
	// next request when the previous answered; in open loop it bounds the
	// requests in flight.
	Concurrency int
	// Rate, when positive, selects the open loop: requests are due at fixed
	// intervals of 1/Rate whatever the answers, and each latency is measured
	// from the time it was due, so that a stalled server is charged for the
	// requests it delayed (no coordinated omission).
	Rate     float64
	Duration time.Duration // measured time, after Warmup
	Warmup   time.Duration // run but not recorded
	Progress io.Writer     // a progress line each second; nil for none
	Label    string        // shown on the progress line
	// ByStatus records each operation's latencies apart per status
	// ("login 200", "login 503"), for the overload run.
	ByStatus bool
	// Window, when set, is called with true when measuring starts and false
	// when it ends, so that server counters are read around exactly it.
	Window func(start bool)
}

// Run prepares cfg.Concurrency workers of sc and drives them.
func Run(ctx context.Context, sc Scenario, cfg RunConfig) (Result, error) {
	if cfg.Concurrency < 1 {
		return Result{}, fmt.Errorf("bench.Run: concurrency %d < 1", cfg.Concurrency)
	}
	workers := make([]Worker, cfg.Concurrency)
	for i := range workers {
		w, err := sc.NewWorker(ctx, i)
		if err != nil {
			return Result{}, fmt.Errorf("bench.Run: prepare worker %d: %w", i, err)
		}
		workers[i] = w
	}
	d := &driver{cfg: cfg}
	res := d.drive(ctx, workers)
	res.Concurrency, res.Rate, res.Mode = cfg.Concurrency, cfg.Rate, "closed"
	if cfg.Rate > 0 {
		res.Mode = "open"
	}
	return res, ctx.Err()
}

type driver struct {
	cfg     RunConfig
	start   time.Time // when recording begins (after warm-up)
	end     time.Time
	done    atomic.Int64 // recorded steps, for the progress line
	failed  atomic.Int64
	dropped atomic.Int64
}

func (d *driver) drive(ctx context.Context, workers []Worker) Result {
	now := time.Now()
	d.start = now.Add(d.cfg.Warmup)
	d.end = d.start.Add(d.cfg.Duration)
	ctx, cancel := context.WithDeadline(ctx, d.end.Add(30*time.Second)) // a last answer may be slow
	defer cancel()
	tallies := make([]*tally, len(workers))
	for i := range tallies {
		tallies[i] = newTally()
	}
	stopProgress := d.progress()
	stopWindow := d.window()
	var wg sync.WaitGroup
	if d.cfg.Rate > 0 {
		due := make(chan time.Time, 1<<16)
		go d.schedule(ctx, due)
		for i, w := range workers {
			wg.Go(func() { d.openWorker(ctx, w, tallies[i], due) })
		}
	} else {
		for i, w := range workers {
			wg.Go(func() { d.closedWorker(ctx, w, tallies[i]) })
		}
	}
	wg.Wait()
	stopWindow()
	stopProgress()
	total := newTally()
	for _, t := range tallies {
		total.merge(t)
	}
	res := buildResult(total, d.cfg.Duration.Seconds())
	res.Dropped = d.dropped.Load()
	return res
}

// Readier is a Worker with untimed work before its next step (waiting for
// a mailed code); the closed loop calls Ready before starting the clock.
type Readier interface {
	Ready(ctx context.Context) error
}

func (d *driver) closedWorker(ctx context.Context, w Worker, t *tally) {
	r, _ := w.(Readier)
	for ctx.Err() == nil {
		if r != nil {
			if err := r.Ready(ctx); err != nil {
				t.record("ready", 0, err, 0)
				d.failed.Add(1)
				continue
			}
		}
		begin := time.Now()
		if !begin.Before(d.end) {
			return
		}
		op, status, err := w.Step(ctx)
		d.note(t, begin, op, status, err)
	}
}

// schedule emits the due time of every request of the open loop, warm-up
// included. When the workers fall so far behind that the queue is full,
// the arrival is dropped and counted: the client, not the server, is then
// the limit, and the report says so.
func (d *driver) schedule(ctx context.Context, due chan<- time.Time) {
	defer close(due)
	interval := time.Duration(float64(time.Second) / d.cfg.Rate)
	next := time.Now()
	for next.Before(d.end) {
		if wait := time.Until(next); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		select {
		case due <- next:
		default:
			if !next.Before(d.start) {
				d.dropped.Add(1)
			}
		}
		next = next.Add(interval)
	}
}

func (d *driver) openWorker(ctx context.Context, w Worker, t *tally, due <-chan time.Time) {
	for at := range due {
		if ctx.Err() != nil {
			return
		}
		op, status, err := w.Step(ctx)
		d.note(t, at, op, status, err)
	}
}

// note records a step that began (or was due) at begin, if begin falls in
// the measured window.
func (d *driver) note(t *tally, begin time.Time, op string, status int, err error) {
	if begin.Before(d.start) || !begin.Before(d.end) {
		return
	}
	if d.cfg.ByStatus {
		op = fmt.Sprintf("%s %d", op, status)
	}
	t.record(op, status, err, time.Since(begin))
	d.done.Add(1)
	if !ok(status, err) {
		d.failed.Add(1)
	}
}

// window calls cfg.Window at the start and end of the measured time.
func (d *driver) window() (stop func()) {
	if d.cfg.Window == nil {
		return func() {}
	}
	started := make(chan struct{})
	go func() {
		time.Sleep(time.Until(d.start))
		d.cfg.Window(true)
		close(started)
	}()
	return func() {
		<-started
		d.cfg.Window(false)
	}
}

// progress prints one line a second on cfg.Progress, rewritten in place.
func (d *driver) progress() (stop func()) {
	if d.cfg.Progress == nil {
		return func() {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var last int64
		for {
			select {
			case <-quit:
				fmt.Fprintf(d.cfg.Progress, "\r%-90s\r", "")
				return
			case now := <-tick.C:
				n := d.done.Load()
				phase := "warm-up"
				if !now.Before(d.start) {
					phase = fmt.Sprintf("%3.0fs/%.0fs", now.Sub(d.start).Seconds(), d.cfg.Duration.Seconds())
				}
				fmt.Fprintf(d.cfg.Progress, "\r%-22s %-12s %9d req %8d/s %6d err %6d dropped   ",
					d.cfg.Label, phase, n, n-last, d.failed.Load(), d.dropped.Load())
				last = n
			}
		}
	}()
	return func() { close(quit); <-finished }
}
