package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/bench"
)

func boundCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bound", flag.ExitOnError)
	par := fs.Int("parallelism", 2*cores(), "goroutines")
	d := fs.Duration("duration", 10*time.Second, "time per bound")
	alg := fs.String("alg", "RS256", "signing algorithm (RS256, RS256-4096, ES256, EdDSA)")
	only := fs.String("only", "", "measure one bound, argon2id or sign, and print it as JSON (the reference run's --bound-cpus child)")
	fs.Parse(args)
	if *only != "" {
		b, err := bench.InProcessBound(ctx, *only, *alg, *par, *d)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(b)
	}
	for _, name := range []string{"argon2id", "sign"} {
		b, err := bench.InProcessBound(ctx, name, *alg, *par, *d)
		if err != nil {
			return err
		}
		fmt.Printf("%-14s parallelism %d: %9.1f/s  median %.2f ms\n", b.Name, b.Parallelism, b.PerSecond, b.Median)
	}
	return nil
}

// pinnedBound measures a bound in a child process pinned with taskset to
// cpus, the CPUs the server runs on, so that the bound is the limit of the
// server's own cores while this process drives the load from others.
func pinnedBound(cpus string) func(context.Context, string, int, time.Duration) (bench.Bound, error) {
	return func(ctx context.Context, name string, par int, d time.Duration) (bench.Bound, error) {
		exe, err := os.Executable()
		if err != nil {
			return bench.Bound{}, err
		}
		cmd := exec.CommandContext(ctx, "taskset", "-c", cpus, exe, "bound", "--only", name,
			"--parallelism", strconv.Itoa(par), "--duration", d.String())
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return bench.Bound{}, fmt.Errorf("bound %s on CPUs %s: %w", name, cpus, err)
		}
		var b bench.Bound
		return b, json.Unmarshal(out, &b)
	}
}

func referenceCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reference", flag.ExitOnError)
	var t targetFlags
	t.flags(fs)
	var c bench.RefConfig
	serverCores := fs.Int("server-cores", cores(), "cores the server runs on (its hash pool; default parallelism 2 × this)")
	boundCPUs := fs.String("bound-cpus", "", "measure the bounds in a child pinned to these CPUs (taskset list, the server's), not in this process")
	layout := fs.String("layout", "", "where server, tool and bounds ran, for the report")
	fs.IntVar(&c.Parallelism, "parallelism", 0, "concurrency of the loaded runs and parallelism of the bounds (default 2 × --server-cores)")
	fs.DurationVar(&c.BoundTime, "bound-time", 8*time.Second, "time per in-process bound")
	fs.IntVar(&c.Rounds, "rounds", 3, "interleaved passes of bounds and scenarios (ratios are their median)")
	fs.DurationVar(&c.SingleTime, "single-time", 8*time.Second, "time per concurrency-1 run")
	scenarios := fs.String("scenarios", "status,profile,login,refresh,mixed", "scenarios run at 1 and at --parallelism")
	fs.BoolVar(&c.Overload, "overload", true, "add the open-loop login at 20 × the sustained rate")
	sweeps := fs.String("sweeps", "", "scenarios to sweep for charts (e.g. login,refresh,profile)")
	levels := fs.String("levels", "1,2,4,8,16,32", "concurrencies of the sweeps")
	out := fs.String("out", "docs/bench", "directory for reference.json, reference.md and the SVG charts")
	fs.Parse(args)
	c.Scenarios = strings.Split(*scenarios, ",")
	c.PoolSize, c.Layout = *serverCores, *layout
	if c.Parallelism <= 0 {
		c.Parallelism = 2 * *serverCores
	}
	if *boundCPUs != "" {
		c.Bound = pinnedBound(*boundCPUs)
	}
	closeSink, err := t.open()
	defer closeSink()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	rep, err := t.Reference(ctx, c)
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(*out, "reference.json"), rep); err != nil {
		return err
	}
	md, err := os.Create(filepath.Join(*out, "reference.md"))
	if err != nil {
		return err
	}
	bench.WriteMarkdown(md, rep)
	if err := md.Close(); err != nil {
		return err
	}
	bench.WriteMarkdown(os.Stdout, rep)
	if *sweeps == "" {
		return nil
	}
	return drawSweeps(ctx, t.Target, strings.Split(*sweeps, ","), *levels, *out, rep.Machine)
}

func drawSweeps(ctx context.Context, t bench.Target, names []string, levels, out, machine string) error {
	lv, err := parseLevels(levels)
	if err != nil {
		return err
	}
	for _, name := range names {
		sw, err := t.Sweep(ctx, name, lv)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(out, "sweep-"+name+".json"), sw); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(out, name+".svg"))
		if err != nil {
			return err
		}
		sub := fmt.Sprintf("%s; %s each, closed loop; gatehouse-bench sweep", machine, t.Duration)
		if err := bench.WriteSVG(f, sw, sub); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// tableCmd prints run results saved with --json as one Markdown table, a
// row per file, labelled by the file's name (the growth script's output).
func tableCmd(_ context.Context, args []string) error {
	fmt.Println("| run | req/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU ms/req | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, path := range args {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var r bench.Result
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		cpu, rss := "-", "-"
		if r.Server != nil {
			cpu, rss = fmt.Sprintf("%.3f", r.Server.CPUPerRequest), fmt.Sprintf("%.0f", r.Server.PeakRSSMiB)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		fmt.Printf("| %s | %.1f | %.2f | %.2f | %.2f | %d | %s | %s |\n", name, r.Throughput, r.Latency.P50,
			r.Latency.P99, r.Latency.P999, r.Errors, cpu, rss)
		if len(r.Ops) < 2 {
			continue
		}
		for _, op := range slices.Sorted(maps.Keys(r.Ops)) { // a mixed run: each operation's share
			o := r.Ops[op]
			fmt.Printf("| &nbsp;&nbsp;%s | %.1f | %.2f | %.2f | %.2f | | | |\n", op, o.Throughput, o.Latency.P50, o.Latency.P99, o.Latency.P999)
		}
	}
	return nil
}
