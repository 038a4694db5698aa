package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/bench"
)

func boundCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bound", flag.ExitOnError)
	par := fs.Int("parallelism", 2*cores(), "goroutines")
	d := fs.Duration("duration", 10*time.Second, "time per bound")
	alg := fs.String("alg", "RS256", "signing algorithm (RS256, RS256-4096, ES256, EdDSA)")
	fs.Parse(args)
	for _, f := range []func() (bench.Bound, error){
		func() (bench.Bound, error) { return bench.HashBound(ctx, *par, *d) },
		func() (bench.Bound, error) { return bench.SignBound(ctx, *alg, *par, *d) },
	} {
		b, err := f()
		if err != nil {
			return err
		}
		fmt.Printf("%-14s parallelism %d: %9.1f/s  median %.2f ms\n", b.Name, b.Parallelism, b.PerSecond, b.Median)
	}
	return nil
}

func referenceCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reference", flag.ExitOnError)
	var t targetFlags
	t.flags(fs)
	var c bench.RefConfig
	fs.IntVar(&c.Parallelism, "parallelism", 2*cores(), "concurrency of the loaded runs and parallelism of the bounds")
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
	}
	return nil
}
