package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Bound is an in-process measurement of the work a request cannot avoid,
// made with the server's own code at the parallelism of the load run.
type Bound struct {
	Name        string  `json:"name"`
	Parallelism int     `json:"parallelism"`
	Seconds     float64 `json:"seconds"`
	Ops         int64   `json:"ops"`
	PerSecond   float64 `json:"per_second"`
	Median      float64 `json:"median_ms"`     // of one operation at this parallelism
	CPUPerOp    float64 `json:"cpu_ms_per_op"` // this process's CPU time per operation
}

// measure runs op on par goroutines for d and counts completions.
func measure(ctx context.Context, name string, par int, d time.Duration, op func() error) (Bound, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	tallies := make([]*tally, par)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range par {
		tallies[i] = newTally()
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				begin := time.Now()
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				tallies[i].record(name, 200, nil, time.Since(begin))
				n.Add(1)
			}
		})
	}
	start := time.Now()
	cpu0, _ := CPUTime(os.Getpid())
	wg.Wait()
	cpu1, _ := CPUTime(os.Getpid())
	secs := time.Since(start).Seconds()
	if firstErr != nil {
		return Bound{}, fmt.Errorf("bound %s: %w", name, firstErr)
	}
	all := newTally()
	for _, t := range tallies {
		all.merge(t)
	}
	b := Bound{Name: name, Parallelism: par, Seconds: secs, Ops: n.Load(),
		PerSecond: float64(n.Load()) / secs, Median: summarize(all.all).P50}
	if b.Ops > 0 {
		b.CPUPerOp = (cpu1 - cpu0).Seconds() * 1000 / float64(b.Ops)
	}
	return b, nil
}

// HashBound measures argon2id verifications per second with the server's
// default parameters, through the server's hasher (its pool sized to the
// cores), at parallelism par: the ceiling of logins per second.
func HashBound(ctx context.Context, par int, d time.Duration) (Bound, error) {
	h, err := password.New(password.Options{Params: password.DefaultParams(), Queue: par})
	if err != nil {
		return Bound{}, err
	}
	const pw = "bench-bound-password"
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return Bound{}, err
	}
	return measure(ctx, "argon2id", par, d, func() error {
		ok, _, err := h.Verify(ctx, hash, pw)
		if err == nil && !ok {
			err = fmt.Errorf("verify refused its own hash")
		}
		return err
	})
}

// SignBound measures access-token signatures per second: the server's
// keys.Ring signing the claims a platform login carries, with a fresh
// RSA-2048 key (RS256, the reference run's algorithm) on an in-memory
// store: the ceiling of refreshes per second.
func SignBound(ctx context.Context, alg string, par int, d time.Duration) (Bound, error) {
	st, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		return Bound{}, err
	}
	defer st.Close()
	master := make([]byte, 32)
	rand.Read(master)
	sealer, err := keys.NewSealer(master)
	if err != nil {
		return Bound{}, err
	}
	ring := keys.NewRing(st, sealer, keys.RingOptions{Alg: alg})
	if err := ring.Ensure(ctx); err != nil {
		return Bound{}, err
	}
	now := time.Now()
	return measure(ctx, "sign-"+alg, par, d, func() error {
		_, err := ring.Sign(ctx, identity.Claims{
			Issuer: "http://127.0.0.1:8080", Subject: uuid.NewString(), IssuedAt: now,
			ExpiresAt: now.Add(15 * time.Minute), ID: uuid.NewString(), SessionID: uuid.NewString(),
			Extra: map[string]any{"door": "platform"},
		})
		return err
	})
}
