package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Target is a server under test and how to drive it.
type Target struct {
	URL        string
	SeedUsers  int
	SeedDomain string
	Password   string
	Mail       *MailSink // for the register scenario
	RunID      string
	AdminToken string
	ServerPID  int // when set, runs read its CPU time and peak RSS
	// PGURL, when set, is the server's PostgreSQL database: runs count the
	// connections the server opened to it in the measured window.
	PGURL    string
	Mix      []MixPart // the mix scenario's parts
	Warmup   time.Duration
	Duration time.Duration
	Progress io.Writer
}

// Run builds the named scenario against t and runs it with cfg (t's
// timing, progress line and server probe filled in).
func (t Target) Run(ctx context.Context, name string, cfg RunConfig) (Result, error) {
	f, ok := Lookup(name)
	if !ok {
		return Result{}, fmt.Errorf("unknown scenario %q (gatehouse-bench list)", name)
	}
	env := Env{Client: NewClient(t.URL, cfg.Concurrency), SeedUsers: t.SeedUsers, SeedDomain: t.SeedDomain,
		Password: t.Password, Mail: t.Mail, RunID: t.RunID, AdminToken: t.AdminToken, Mix: t.Mix}
	defer env.Client.HTTP.CloseIdleConnections()
	sc, err := f.New(env)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if cfg.Duration == 0 {
		cfg.Duration = t.Duration
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = t.Warmup
	}
	cfg.Progress = t.Progress
	cfg.Label = fmt.Sprintf("%s c=%d", name, cfg.Concurrency)
	var probe *ServerProbe
	if t.ServerPID > 0 {
		probe = &ServerProbe{PID: t.ServerPID, PGURL: t.PGURL}
		cfg.Window = probe.Window
	}
	res, err := Run(ctx, sc, cfg)
	res.Scenario = name
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	if probe != nil {
		if err := probe.Attach(&res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Sweep runs the named scenario at each concurrency.
func (t Target) Sweep(ctx context.Context, name string, levels []int) (Sweep, error) {
	sw := Sweep{Scenario: name}
	for _, c := range levels {
		res, err := t.Run(ctx, name, RunConfig{Concurrency: c})
		if err != nil {
			return sw, err
		}
		sw.Runs = append(sw.Runs, res)
		sw.Points = append(sw.Points, Point{Concurrency: c, Throughput: float64(res.OK()) / res.Seconds,
			Errors: float64(res.Errors) / res.Seconds, P99: res.Latency.P99})
	}
	return sw, nil
}
