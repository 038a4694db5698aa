package password

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// heldPool is a Hasher with one worker whose hashes block until release is
// closed. started receives when a hash begins, queued when a caller takes a
// waiting place, so tests line callers up without sleeping.
type heldPool struct {
	*Hasher
	started chan struct{}
	queued  chan struct{}
	release chan struct{}
	maxLive atomic.Int64 // most hashes ever running at once
}

func newHeldPool(t *testing.T, queue int, maxWait time.Duration) *heldPool {
	t.Helper()
	return newHeldPoolOf(t, Options{Params: cheap, Workers: 1, Queue: queue, MaxWait: maxWait})
}

// newHeldPoolOf is newHeldPool for a hasher built from o.
func newHeldPoolOf(t *testing.T, o Options) *heldPool {
	t.Helper()
	hp := &heldPool{
		Hasher:  newHasher(t, o),
		started: make(chan struct{}, 64),
		queued:  make(chan struct{}, 64),
		release: make(chan struct{}),
	}
	var live atomic.Int64
	hp.hashFn = func(pw, salt []byte, p Params) []byte {
		n := live.Add(1)
		defer live.Add(-1)
		for m := hp.maxLive.Load(); n > m && !hp.maxLive.CompareAndSwap(m, n); m = hp.maxLive.Load() {
		}
		hp.started <- struct{}{}
		<-hp.release
		return argon2id(pw, salt, p)
	}
	hp.pool.onWait = func() { hp.queued <- struct{}{} }
	t.Cleanup(func() {
		select {
		case <-hp.release:
		default:
			close(hp.release)
		}
	})
	return hp
}

type outcome struct {
	hash string
	err  error
}

// hashAsync starts a Hash in its own goroutine and returns its outcome.
func (hp *heldPool) hashAsync(ctx context.Context, pw string) <-chan outcome {
	done := make(chan outcome, 1)
	go func() {
		hash, err := hp.Hash(ctx, pw)
		done <- outcome{hash, err}
	}()
	return done
}

func TestPoolTurnsAwayCallersBeyondTheQueueAndServesTheRest(t *testing.T) {
	hp := newHeldPool(t, 1, time.Minute)
	ctx := context.Background()
	first := hp.hashAsync(ctx, "first")
	<-hp.started
	second := hp.hashAsync(ctx, "second")
	<-hp.queued

	if _, err := hp.Hash(ctx, "third"); !errors.Is(err, core.ErrOverloaded) {
		t.Fatalf("third Hash: err = %v; want ErrOverloaded", err)
	}
	if _, _, err := hp.Verify(ctx, "", "fourth"); !errors.Is(err, core.ErrOverloaded) {
		t.Fatalf("fourth Verify: err = %v; want ErrOverloaded", err)
	}
	if got, want := hp.Stats(), (Stats{Running: 1, Waiting: 1, Rejected: 2, HashTime: hp.Stats().HashTime}); got != want {
		t.Fatalf("Stats while held = %+v; want %+v", got, want)
	}

	close(hp.release)
	// Collect both before verifying: a Verify now would contend with them.
	outs := map[string]outcome{"first": <-first, "second": <-second}
	for pw, out := range outs {
		if out.err != nil {
			t.Fatalf("%s caller: %v", pw, out.err)
		}
		if ok, _, err := hp.Verify(ctx, out.hash, pw); err != nil || !ok {
			t.Fatalf("%s caller's hash: Verify = %v, %v; want true, nil", pw, ok, err)
		}
	}
	if got, want := hp.Stats(), (Stats{Rejected: 2, HashTime: hp.Stats().HashTime}); got != want {
		t.Fatalf("Stats after release = %+v; want %+v", got, want)
	}
	if m := hp.maxLive.Load(); m != 1 {
		t.Fatalf("at most %d hashes ran at once; want 1 (Workers)", m)
	}
}

func TestPoolReturnsTheContextErrorWhenCancelledWhileQueued(t *testing.T) {
	hp := newHeldPool(t, 1, time.Minute)
	first := hp.hashAsync(context.Background(), "first")
	<-hp.started

	ctx, cancel := context.WithCancel(context.Background())
	second := hp.hashAsync(ctx, "second")
	<-hp.queued
	cancel()
	if err := (<-second).err; !errors.Is(err, context.Canceled) || errors.Is(err, core.ErrOverloaded) {
		t.Fatalf("cancelled caller: err = %v; want context.Canceled", err)
	}
	if got := hp.Stats(); got.Rejected != 0 || got.Waiting != 0 {
		t.Fatalf("Stats = %+v; want nothing rejected, nobody waiting", got)
	}
	close(hp.release)
	if err := (<-first).err; err != nil {
		t.Fatalf("first caller: %v", err)
	}
	if n := len(hp.started); n != 0 {
		t.Fatalf("%d more hashes started after the first; want 0", n)
	}
}

func TestPoolWithoutQueueRefusesAtOnceWhenBusy(t *testing.T) {
	hp := newHeldPool(t, -1, time.Minute)
	first := hp.hashAsync(context.Background(), "first")
	<-hp.started
	if _, err := hp.Hash(context.Background(), "second"); !errors.Is(err, core.ErrOverloaded) {
		t.Fatalf("second Hash: err = %v; want ErrOverloaded", err)
	}
	if n := len(hp.queued); n != 0 {
		t.Fatalf("%d callers queued; want 0", n)
	}
	close(hp.release)
	if err := (<-first).err; err != nil {
		t.Fatalf("first caller: %v", err)
	}
}

func TestHashWithCancelledContextDoesNoWork(t *testing.T) {
	h := newHasher(t, Options{Params: cheap})
	calls := countCalls(h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash: err = %v; want context.Canceled", err)
	}
	if n := len(calls()); n != 0 {
		t.Fatalf("argon2 ran %d times; want 0", n)
	}
}

func TestPoolNeverRunsMoreThanWorkersAtOnce(t *testing.T) {
	const workers, callers = 2, 16
	h := newHasher(t, Options{Params: cheap, Workers: workers, Queue: callers, MaxWait: time.Minute})
	var live, maxLive atomic.Int64
	h.hashFn = func(pw, salt []byte, p Params) []byte {
		n := live.Add(1)
		defer live.Add(-1)
		for m := maxLive.Load(); n > m && !maxLive.CompareAndSwap(m, n); m = maxLive.Load() {
		}
		return argon2id(pw, salt, p)
	}
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := h.Hash(context.Background(), "pw")
			errs <- err
		}()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Fatalf("Hash: %v", err)
		}
	}
	if m := maxLive.Load(); m < 1 || m > workers {
		t.Fatalf("%d hashes ran at once; want 1..%d", m, workers)
	}
}

func TestSaturatedTellsWhenTheNextCallerWouldBeTurnedAway(t *testing.T) {
	hp := newHeldPool(t, 1, time.Minute)
	ctx := context.Background()
	if hp.Saturated() {
		t.Fatal("Saturated on an idle pool")
	}
	first := hp.hashAsync(ctx, "first")
	<-hp.started
	if hp.Saturated() {
		t.Fatal("Saturated with the queue place still free")
	}
	second := hp.hashAsync(ctx, "second")
	<-hp.queued
	if !hp.Saturated() {
		t.Fatal("not Saturated with the worker busy and the queue full")
	}
	if _, err := hp.Hash(ctx, "third"); !errors.Is(err, core.ErrOverloaded) {
		t.Fatalf("Hash while Saturated: err = %v; want ErrOverloaded", err)
	}
	close(hp.release)
	for _, c := range []<-chan outcome{first, second} {
		if o := <-c; o.err != nil {
			t.Fatal(o.err)
		}
	}
	if hp.Saturated() {
		t.Fatal("still Saturated after every caller left")
	}
}
