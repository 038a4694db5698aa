package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// Check is one target of the issue: a figure beside its bound.
type Check struct {
	Name   string    `json:"name"`
	Figure float64   `json:"figure"`
	Bound  float64   `json:"bound"`
	Unit   string    `json:"unit"`
	Ratio  float64   `json:"ratio"`            // Figure/Bound
	Rounds []float64 `json:"rounds,omitempty"` // the ratio in each round; Ratio is their median
	Target string    `json:"target"`           // as stated in the issue
	Pass   bool      `json:"pass"`
}

// Report is a whole reference run.
type Report struct {
	When        time.Time         `json:"when"`
	Machine     string            `json:"machine"`
	Layout      string            `json:"layout,omitempty"` // where server, tool and bounds ran (CPU sets), when pinned
	Parallelism int               `json:"parallelism"`
	Bounds      map[string]Bound  `json:"bounds"`
	Runs        map[string]Result `json:"runs"`
	Checks      []Check           `json:"checks"`
	Rounds      int               `json:"rounds"`
}

// RefConfig tunes the reference run.
type RefConfig struct {
	Parallelism int           // default 2 × cores
	Rounds      int           // interleaved passes of bounds and scenarios; default 3
	BoundTime   time.Duration // each in-process bound; default 10 s
	SingleTime  time.Duration // each concurrency-1 run; default 8 s
	Scenarios   []string      // at Parallelism; default login, refresh, profile, status, mixed
	Overload    bool          // add the open-loop login at 20 × the sustainable rate
	PoolSize    int           // the server's hash pool, for the RSS target; default cores
	MemoryMiB   float64       // argon2 memory per hash; default 19
	// Bound measures one bound ("argon2id" or "sign") at a parallelism;
	// default in this process (HashBound, SignBound with RS256). The tool
	// sets it to measure in a child pinned to the server's CPUs when the
	// load generator has CPUs of its own.
	Bound  func(ctx context.Context, name string, par int, d time.Duration) (Bound, error)
	Layout string // recorded in the report
}

// bound runs c.Bound, or measures in process.
func (c RefConfig) bound(ctx context.Context, name string, par int, d time.Duration) (Bound, error) {
	if c.Bound != nil {
		return c.Bound(ctx, name, par, d)
	}
	return InProcessBound(ctx, name, "RS256", par, d)
}

// InProcessBound measures the named bound in this process: "argon2id"
// (HashBound) or "sign" (SignBound with alg; the reference run's RS256).
func InProcessBound(ctx context.Context, name, alg string, par int, d time.Duration) (Bound, error) {
	switch name {
	case "argon2id":
		return HashBound(ctx, par, d)
	case "sign":
		return SignBound(ctx, alg, par, d)
	}
	return Bound{}, fmt.Errorf("unknown bound %q", name)
}

// Reference runs the bounds and the scenarios and sets each figure beside
// its bound. The machine may be shared, so bounds and figures are measured
// in Rounds interleaved passes (bounds, then every scenario at
// Parallelism), each figure compared with the bound of its own pass, and the
// median of those ratios reported: a disturbance then has to hit one pass
// unevenly to move a ratio, and the spread of the rounds shows the noise.
func (t Target) Reference(ctx context.Context, c RefConfig) (Report, error) {
	c = c.withDefaults()
	rep := Report{When: time.Now().UTC(), Machine: Machine(), Layout: c.Layout, Parallelism: c.Parallelism,
		Bounds: map[string]Bound{}, Runs: map[string]Result{}}
	b, err := c.bound(ctx, "argon2id", 1, c.SingleTime)
	if err != nil {
		return rep, err
	}
	rep.Bounds["argon2id-1"] = b
	for _, name := range c.Scenarios {
		res, err := t.Run(ctx, name, RunConfig{Concurrency: 1, Duration: c.SingleTime})
		if err != nil {
			return rep, err
		}
		rep.Runs[name+"/1"] = res
		t.logf("%-10s c=1   %8.1f/s  p50 %.2f  p99 %.2f ms  errors %d", name, res.Throughput, res.Latency.P50, res.Latency.P99, res.Errors)
	}
	var rounds []round
	for i := range c.Rounds {
		r, err := t.round(ctx, c, i)
		if err != nil {
			return rep, err
		}
		rounds = append(rounds, r)
	}
	rep.Rounds = len(rounds)
	if c.Overload {
		// The overload run needs the sustained rate of a median round.
		rep.Runs[fmt.Sprintf("login/%d", c.Parallelism)] = medianRun(rounds, "login", c.Parallelism)
		if err := t.overload(ctx, c, &rep); err != nil {
			return rep, err
		}
	}
	rep.Checks = checks(rep, rounds, c)
	return rep, nil
}

// round is one interleaved pass: the bounds, then each scenario.
type round struct {
	bounds map[string]Bound
	runs   map[string]Result
}

func (t Target) round(ctx context.Context, c RefConfig, i int) (round, error) {
	r := round{bounds: map[string]Bound{}, runs: map[string]Result{}}
	var err error
	if r.bounds["argon2id"], err = c.bound(ctx, "argon2id", c.Parallelism, c.BoundTime); err != nil {
		return r, err
	}
	if r.bounds["sign"], err = c.bound(ctx, "sign", c.Parallelism, c.BoundTime); err != nil {
		return r, err
	}
	t.logf("round %d: argon2id %.1f/s, RS256 signatures %.1f/s", i+1, r.bounds["argon2id"].PerSecond, r.bounds["sign"].PerSecond)
	for _, name := range c.Scenarios {
		res, err := t.Run(ctx, name, RunConfig{Concurrency: c.Parallelism})
		if err != nil {
			return r, err
		}
		r.runs[fmt.Sprintf("%s/%d", name, c.Parallelism)] = res
		t.logf("round %d: %-10s c=%-3d %8.1f/s  p50 %.2f  p99 %.2f ms  errors %d", i+1, name, c.Parallelism, res.Throughput, res.Latency.P50, res.Latency.P99, res.Errors)
	}
	return r, nil
}

func (c RefConfig) withDefaults() RefConfig {
	if c.Parallelism <= 0 {
		c.Parallelism = 2 * runtime.NumCPU()
	}
	if c.Rounds <= 0 {
		c.Rounds = 3
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
