package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// Check is one target of the issue: a figure beside its bound.
type Check struct {
	Name   string  `json:"name"`
	Figure float64 `json:"figure"`
	Bound  float64 `json:"bound"`
	Unit   string  `json:"unit"`
	Ratio  float64 `json:"ratio"`  // Figure/Bound, or Bound/Figure for "at most" targets
	Target string  `json:"target"` // as stated in the issue
	Pass   bool    `json:"pass"`
}

// Report is a whole reference run.
type Report struct {
	When        time.Time         `json:"when"`
	Machine     string            `json:"machine"`
	Parallelism int               `json:"parallelism"`
	Bounds      map[string]Bound  `json:"bounds"`
	Runs        map[string]Result `json:"runs"`
	Checks      []Check           `json:"checks"`
}

// RefConfig tunes the reference run.
type RefConfig struct {
	Parallelism int           // default 2 × cores
	BoundTime   time.Duration // each in-process bound; default 10 s
	SingleTime  time.Duration // each concurrency-1 run; default 8 s
	Scenarios   []string      // at Parallelism; default login, refresh, profile, status, mixed
	Overload    bool          // add the open-loop login at 20 × the sustainable rate
	PoolSize    int           // the server's hash pool, for the RSS target; default cores
	MemoryMiB   float64       // argon2 memory per hash; default 19
}

// Reference runs the bounds and the scenarios in one go and sets each
// figure beside its bound.
func (t Target) Reference(ctx context.Context, c RefConfig) (Report, error) {
	c = c.withDefaults()
	rep := Report{When: time.Now().UTC(), Machine: Machine(), Parallelism: c.Parallelism,
		Bounds: map[string]Bound{}, Runs: map[string]Result{}}
	steps := []struct {
		name string
		fn   func() (Bound, error)
	}{
		{"argon2id", func() (Bound, error) { return HashBound(ctx, c.Parallelism, c.BoundTime) }},
		{"argon2id-1", func() (Bound, error) { return HashBound(ctx, 1, c.SingleTime) }},
		{"sign", func() (Bound, error) { return SignBound(ctx, "RS256", c.Parallelism, c.BoundTime) }},
	}
	for _, s := range steps {
		b, err := s.fn()
		if err != nil {
			return rep, err
		}
		rep.Bounds[s.name] = b
		t.logf("bound %-12s %8.1f/s  median %.2f ms", s.name, b.PerSecond, b.Median)
	}
	for _, name := range c.Scenarios {
		for _, conc := range []int{1, c.Parallelism} {
			cfg := RunConfig{Concurrency: conc}
			if conc == 1 {
				cfg.Duration = c.SingleTime
			}
			res, err := t.Run(ctx, name, cfg)
			if err != nil {
				return rep, err
			}
			rep.Runs[fmt.Sprintf("%s/%d", name, conc)] = res
			t.logf("%-10s c=%-3d %8.1f/s  p50 %.2f  p99 %.2f ms  errors %d", name, conc, res.Throughput, res.Latency.P50, res.Latency.P99, res.Errors)
		}
	}
	if c.Overload {
		if err := t.overload(ctx, c, &rep); err != nil {
			return rep, err
		}
	}
	rep.Checks = checks(rep, c)
	return rep, nil
}

func (c RefConfig) withDefaults() RefConfig {
	if c.Parallelism <= 0 {
		c.Parallelism = 2 * runtime.NumCPU()
	}
	if c.BoundTime <= 0 {
		c.BoundTime = 10 * time.Second
	}
	if c.SingleTime <= 0 {
		c.SingleTime = 8 * time.Second
	}
	if len(c.Scenarios) == 0 {
		c.Scenarios = []string{"status", "profile", "login", "refresh", "mixed"}
	}
	if c.PoolSize <= 0 {
		c.PoolSize = runtime.NumCPU()
	}
	if c.MemoryMiB <= 0 {
		c.MemoryMiB = 19
	}
	return c
}

// overload offers logins at 20 × the rate the closed loop sustained, with
// room for 64 × that many in flight, and records latencies per status.
func (t Target) overload(ctx context.Context, c RefConfig, rep *Report) error {
	sustained := rep.Runs[fmt.Sprintf("login/%d", c.Parallelism)].Throughput
	if sustained <= 0 {
		return fmt.Errorf("overload: no sustained login rate measured")
	}
	rate := 20 * sustained
	res, err := t.Run(ctx, "login", RunConfig{Concurrency: 512, Rate: rate, ByStatus: true})
	if err != nil {
		return err
	}
	rep.Runs["login/overload"] = res
	t.logf("overload  rate %.0f/s: %v", rate, res.Status)
	return nil
}

func (t Target) logf(format string, args ...any) {
	if t.Progress != nil {
		fmt.Fprintf(t.Progress, "\r"+format+"\n", args...)
	}
}
