// Command gatehouse-bench is Gatehouse's load tool (BENCHMARKS.md):
//
//	gatehouse-bench run       drive one scenario (closed loop, or open loop with --rate)
//	gatehouse-bench sweep     one scenario at several concurrencies, with an SVG chart
//	gatehouse-bench bound     in-process bounds: argon2id hashes/s, signatures/s
//	gatehouse-bench reference the reference run: every figure beside its bound
//	gatehouse-bench seed      write N users and their sessions straight into a database
//	gatehouse-bench footprint start-up time to ready and idle RSS of a server binary
//	gatehouse-bench table     Markdown table of results saved with --json
//	gatehouse-bench list      the scenarios
//	gatehouse-bench noop      a server whose GET /status touches nothing: the bound of /status
//	gatehouse-bench rounds    medians, spread and ratios to bounds of interleaved A/B rounds
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/bench"
)

var commands = map[string]func(ctx context.Context, args []string) error{
	"run":       runCmd,
	"sweep":     sweepCmd,
	"bound":     boundCmd,
	"reference": referenceCmd,
	"seed":      seedCmd,
	"footprint": footprintCmd,
	"list":      listCmd,
	"table":     tableCmd,
	"noop":      noopCmd,
	"rounds":    roundsCmd,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: gatehouse-bench run|sweep|bound|reference|seed|footprint|table|list|noop|rounds [flags] (-h for each)")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse-bench:", err)
		os.Exit(1)
	}
}

// targetFlags are the flags that say which server to drive and how.
type targetFlags struct {
	bench.Target
	mailSink string
	quiet    bool
	mix      string
}

func (t *targetFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&t.URL, "url", "http://127.0.0.1:8080", "base URL of the server under test")
	fs.IntVar(&t.SeedUsers, "users", 0, "seeded users to log in as (u0…u<n-1>@domain, see seed)")
	fs.StringVar(&t.Password, "password", bench.SeedPassword, "the seeded users' password")
	fs.StringVar(&t.SeedDomain, "domain", "seed.bench", "the seeded users' e-mail domain")
	fs.StringVar(&t.mailSink, "mail-sink", "", "listen for the server's mail here (e.g. 127.0.0.1:2525) for the register scenario")
	fs.StringVar(&t.AdminToken, "admin-token", cmp.Or(os.Getenv("GATEHOUSE_ADMIN_TOKEN"), "bench-admin-token"), "the server's admin token (bank-login registers the WEB client)")
	fs.IntVar(&t.ServerPID, "server-pid", 0, "the server's process id: report its CPU time per request and peak RSS")
	fs.DurationVar(&t.Warmup, "warmup", 3*time.Second, "unrecorded time before measuring")
	fs.DurationVar(&t.Duration, "duration", 15*time.Second, "measured time")
	fs.BoolVar(&t.quiet, "quiet", false, "no progress line")
	fs.StringVar(&t.PGURL, "pg-url", "", "the server's PostgreSQL database: count the connections opened to it in the measured window")
	fs.StringVar(&t.mix, "mix", "", "the mix scenario's operations per second, e.g. login=10,profile=400,refresh=40")
	t.RunID = fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)
}

// open starts the mail sink when asked; the caller runs the returned close.
func (t *targetFlags) open() (func(), error) {
	if !t.quiet {
		t.Progress = os.Stderr
	}
	if t.mix != "" {
		parts, err := bench.ParseMix(t.mix)
		if err != nil {
			return func() {}, err
		}
		t.Mix = parts
	}
	if t.mailSink == "" {
		return func() {}, nil
	}
	m, err := bench.StartMailSink(t.mailSink)
	if err != nil {
		return func() {}, err
	}
	t.Mail = m
	return func() { m.Close() }, nil
}

func cores() int { return runtime.NumCPU() }

func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if path == "-" {
		_, err = os.Stdout.Write(append(b, '\n'))
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func listCmd(context.Context, []string) error {
	for _, n := range bench.Names() {
		f, _ := bench.Lookup(n)
		fmt.Printf("%-10s %s\n", n, f.Doc)
	}
	return nil
}
