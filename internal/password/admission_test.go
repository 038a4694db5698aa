package password

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

func TestAdmissionAdmitsWhileTheExpectedWaitIsWithinTheBudget(t *testing.T) {
	for _, tc := range []struct {
		name        string
		workers     int
		queue       int
		hash        time.Duration
		n           int64 // the caller's count, running ones included
		admit       bool
		wantWaiting time.Duration
	}{
		{"a free worker", 1, 0, 25 * time.Millisecond, 1, true, 0},
		{"sixteen at once on one worker", 1, 0, 25 * time.Millisecond, 16, true, 375 * time.Millisecond},
		{"the last place within two seconds", 1, 0, 25 * time.Millisecond, 81, true, 2 * time.Second},
		{"one place beyond", 1, 0, 25 * time.Millisecond, 82, false, 2025 * time.Millisecond},
		{"two workers halve the wait", 2, 0, 40 * time.Millisecond, 102, true, 2 * time.Second},
		{"two workers, one beyond", 2, 0, 40 * time.Millisecond, 103, false, 2020 * time.Millisecond},
		{"slow hashes shorten the queue", 2, 0, 500 * time.Millisecond, 11, false, 2250 * time.Millisecond},
		{"a count cap beats the budget", 1, 3, 25 * time.Millisecond, 5, false, 100 * time.Millisecond},
		{"no queue: busy is refused", 1, -1, 25 * time.Millisecond, 2, false, 25 * time.Millisecond},
		{"no queue: free is admitted", 1, -1, 25 * time.Millisecond, 1, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAdmission(tc.workers, tc.queue, 2*time.Second, tc.hash)
			admit, wait := a.admits(tc.n)
			if admit != tc.admit || wait != tc.wantWaiting {
				t.Fatalf("admits(%d) = %v, %v; want %v, %v", tc.n, admit, wait, tc.admit, tc.wantWaiting)
			}
		})
	}
}

func TestTheHashTimeIsAMovingAverageThatStartsFromTheParameters(t *testing.T) {
	a := newAdmission(1, 0, 2*time.Second, priorHashTime(DefaultParams()))
	if got := a.hashTime(); got < 30*time.Millisecond || got > 45*time.Millisecond {
		t.Fatalf("prior for 19 MiB × 2 passes = %v; want about 38 ms (1 GiB of block work a second)", got)
	}
	a = newAdmission(1, 0, 2*time.Second, 40*time.Millisecond)
	a.observe(200 * time.Millisecond) // a cold first hash moves it by an eighth of the difference
	if got := a.hashTime(); got != 60*time.Millisecond {
		t.Fatalf("after one slow hash: %v; want 60ms", got)
	}
	for range 64 { // a lasting change of speed takes over
		a.observe(20 * time.Millisecond)
	}
	if got := a.hashTime(); got < 20*time.Millisecond || got > 21*time.Millisecond {
		t.Fatalf("after 64 hashes of 20ms: %v", got)
	}
}

// TestAQueueIsAdmittedByItsExpectedWaitAndTheRestRefusedWithThatWait:
// hashes measured at one second (by the injected clock), one worker, a
// budget of three and a half seconds: three callers may wait behind the
// running one, the fourth is refused at once with Retry-After its
// four-second wait, and Saturated and Refusal say so before it asks.
func TestAQueueIsAdmittedByItsExpectedWaitAndTheRestRefusedWithThatWait(t *testing.T) {
	clock := testclock.New()
	hp := newHeldPoolOf(t, Options{Params: cheap, Workers: 1, MaxWait: 3500 * time.Millisecond, Now: clock.Now})
	held := hp.hashFn
	hp.hashFn = func(pw, salt []byte, p Params) []byte { clock.Advance(time.Second); return argon2id(pw, salt, p) }
	ctx := context.Background()
	for range 80 { // the moving average converges on the measured second
		if _, err := hp.Hash(ctx, "measured"); err != nil {
			t.Fatal(err)
		}
	}
	hash := hp.Stats().HashTime
	if hash < time.Second-time.Millisecond || hash > time.Second {
		t.Fatalf("measured hash time %v; want 1s", hash)
	}
	hp.hashFn = held

	outs := []<-chan outcome{hp.hashAsync(ctx, "running")}
	<-hp.started
	for range 3 {
		if hp.Saturated() || hp.Refusal() != nil {
			t.Fatalf("Saturated with %d waiting; the next one's wait is within 3.5s", hp.Stats().Waiting)
		}
		outs = append(outs, hp.hashAsync(ctx, "waiting"))
		<-hp.queued
	}
	if !hp.Saturated() {
		t.Fatal("not Saturated with three waiting: the next one would wait 4s")
	}
	_, err := hp.Hash(ctx, "fourth in the queue")
	var e *core.Error
	if !errors.Is(err, core.ErrOverloaded) || !errors.As(err, &e) || e.RetryAfter != 4*hash {
		t.Fatalf("Hash beyond the budget: %v (%+v); want ErrOverloaded with Retry-After 4 hashes (%v)", err, e, 4*hash)
	}
	if ref := hp.Refusal(); !errors.As(ref, &e) || e.RetryAfter != 4*hash {
		t.Fatalf("Refusal = %v; want ErrOverloaded with Retry-After 4 hashes", ref)
	}
	if got := hp.Stats(); got.Running != 1 || got.Waiting != 3 || got.Rejected != 1 {
		t.Fatalf("Stats = %+v; want 1 running, 3 waiting, 1 rejected", got)
	}
	close(hp.release)
	for _, o := range outs {
		if err := (<-o).err; err != nil {
			t.Fatalf("an admitted caller: %v", err)
		}
	}
	if hp.Saturated() {
		t.Fatal("still Saturated once everyone was served")
	}
}

// TestSixteenSimultaneousSignInsOnOneWorkerAllWait: sixteen callers at
// once, one worker, cheap hashes: the fifteen behind the first are within
// any budget, so none is refused (a queue of a fixed four per worker
// refused eleven of them).
func TestSixteenSimultaneousSignInsOnOneWorkerAllWait(t *testing.T) {
	hp := newHeldPoolOf(t, Options{Params: cheap, Workers: 1})
	ctx := context.Background()
	results := make(chan error, 16)
	run := func(pw string) {
		_, err := hp.Hash(ctx, pw)
		results <- err
	}
	go run("first")
	<-hp.started
	for range 15 {
		go run("behind")
	}
	for range 15 {
		select {
		case <-hp.queued:
		case err := <-results:
			t.Fatalf("a caller answered (%v) while the first hash was held; want it waiting", err)
		}
	}
	close(hp.release)
	for range 16 {
		if err := <-results; err != nil {
			t.Fatalf("%v; want every caller served", err)
		}
	}
	if got := hp.Stats().Rejected; got != 0 {
		t.Fatalf("%d refused; want none", got)
	}
}

// TestQueuedCallersHoldNoArgon2Memory: two hundred callers wait behind one
// held hash of 1 MiB. Only a worker runs argon2id, so the heap grows by
// their small requests, not by 200 MiB of buffers, and every one of them
// is then served one at a time.
func TestQueuedCallersHoldNoArgon2Memory(t *testing.T) {
	const waiting = 200
	hp := newHeldPoolOf(t, Options{Params: Params{Memory: 1024, Time: 1, Threads: 1}, Workers: 1, MaxWait: time.Hour})
	held := hp.hashFn
	var first atomic.Bool
	var live, maxLive atomic.Int64
	hp.hashFn = func(pw, salt []byte, p Params) []byte {
		n := live.Add(1)
		defer live.Add(-1)
		for m := maxLive.Load(); n > m && !maxLive.CompareAndSwap(m, n); m = maxLive.Load() {
		}
		if first.CompareAndSwap(false, true) {
			return held(pw, salt, p)
		}
		return argon2id(pw, salt, p)
	}
	ctx := context.Background()
	results := make(chan error, waiting+1)
	run := func(pw string) {
		_, err := hp.Hash(ctx, pw)
		results <- err
	}
	go run("held")
	<-hp.started

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range waiting {
		go run("waiting")
	}
	for range waiting {
		select {
		case <-hp.queued:
		case err := <-results:
			t.Fatalf("a caller finished (%v) while the only worker was held: it did not wait", err)
		}
	}
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d waiting callers: heap +%d KiB", waiting, growth>>10)
	if growth > 16<<20 {
		t.Fatalf("heap grew by %d MiB with %d callers waiting; a waiting caller must hold no argon2 buffer", growth>>20, waiting)
	}
	close(hp.release)
	for range waiting + 1 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if m := maxLive.Load(); m != 1 {
		t.Fatalf("%d hashes ran at once; want 1", m)
	}
}
