package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/bench"
)

func runCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var t targetFlags
	t.flags(fs)
	scenario := fs.String("scenario", "status", "scenario (gatehouse-bench list)")
	conc := fs.Int("concurrency", 2*cores(), "workers (closed loop) or most requests in flight (open loop)")
	rate := fs.Float64("rate", 0, "requests per second: open loop (0: closed loop)")
	byStatus := fs.Bool("by-status", false, "latencies per operation and status")
	jsonOut := fs.String("json", "", "write the result as JSON to this file (- for stdout)")
	fs.Parse(args)
	closeSink, err := t.open()
	defer closeSink()
	if err != nil {
		return err
	}
	if *scenario == "mix" && *rate == 0 {
		*rate = bench.MixRate(t.Mix) // each part at its own rate
	}
	res, err := t.Run(ctx, *scenario, bench.RunConfig{Concurrency: *conc, Rate: *rate, ByStatus: *byStatus})
	if err != nil {
		return err
	}
	if err := bench.WriteTable(os.Stdout, []bench.Result{res}); err != nil {
		return err
	}
	return writeJSON(*jsonOut, res)
}

func sweepCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sweep", flag.ExitOnError)
	var t targetFlags
	t.flags(fs)
	scenario := fs.String("scenario", "status", "scenario (gatehouse-bench list)")
	levels := fs.String("concurrencies", "1,2,4,8,16,32", "comma-separated concurrencies")
	svg := fs.String("svg", "", "draw throughput and p99 against concurrency into this SVG file")
	subtitle := fs.String("subtitle", "", "a line under the chart (the machine, the run)")
	jsonOut := fs.String("json", "", "write the sweep as JSON to this file (- for stdout)")
	fs.Parse(args)
	lv, err := parseLevels(*levels)
	if err != nil {
		return err
	}
	closeSink, err := t.open()
	defer closeSink()
	if err != nil {
		return err
	}
	sw, err := t.Sweep(ctx, *scenario, lv)
	if err != nil {
		return err
	}
	if err := bench.WriteTable(os.Stdout, sw.Runs); err != nil {
		return err
	}
	if *svg != "" {
		f, err := os.Create(*svg)
		if err != nil {
			return err
		}
		if err := bench.WriteSVG(f, sw, *subtitle); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return writeJSON(*jsonOut, sw)
}

func parseLevels(levels string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(levels, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || c < 1 {
			return nil, fmt.Errorf("bad concurrency %q", s)
		}
		out = append(out, c)
	}
	return out, nil
}

func seedCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	var c bench.SeedConfig
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("GATEHOUSE_DATABASE_URL"), "sqlite://PATH or postgres://…")
	fs.IntVar(&c.Users, "users", 10000, "users to write")
	fs.IntVar(&c.From, "from", 0, "index of the first user (to grow a seeded database)")
	fs.IntVar(&c.SessionsPerUser, "sessions-per-user", 1, "sessions (each with a refresh token) per user")
	fs.StringVar(&c.Domain, "domain", "seed.bench", "e-mail domain: u<i>@domain")
	fs.StringVar(&c.Password, "password", bench.SeedPassword, "every seeded user's password")
	fs.IntVar(&c.Batch, "batch", 1000, "users per transaction")
	fs.BoolVar(&c.BankProfiles, "bank-profiles", true, "give every user a bank profile (unique valid IIN), for bank-login")
	fs.IntVar(&c.Jobs, "jobs", 1, "concurrent transactions (PostgreSQL gains from 4)")
	fs.Parse(args)
	c.Progress = os.Stderr
	st, err := bench.Seed(ctx, c)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d users and %d sessions in %v (%.0f users/s)\n", st.Users, st.Sessions,
		st.Elapsed.Round(1e6), float64(st.Users)/st.Elapsed.Seconds())
	return nil
}
