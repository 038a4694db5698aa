package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gatehouse/gatehouse/internal/bench"
)

// ratioFlags collects repeated --ratio NAME=NUM/DEN (DEN may be omitted:
// the figure itself, its median and spread over the rounds).
type ratioFlags []string

func (r *ratioFlags) String() string     { return strings.Join(*r, " ") }
func (r *ratioFlags) Set(s string) error { *r = append(*r, s); return nil }

func roundsCmd(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("rounds", flag.ExitOnError)
	dir := fs.String("dir", ".", "directory of r<round>-<variant>-<case>.json and r<round>-bound-<name>.json")
	var ratios ratioFlags
	fs.Var(&ratios, "ratio", "NAME=NUM/DEN, each VARIANT/CASE:METRIC or bound:NAME (repeatable); see bench.Rounds.Value")
	fs.Parse(args)
	rs, err := bench.LoadRounds(*dir)
	if err != nil {
		return err
	}
	var qs []bench.Ratio
	for _, spec := range ratios {
		name, expr, ok := strings.Cut(spec, "=")
		if !ok {
			return fmt.Errorf("--ratio %q: want NAME=NUM/DEN", spec)
		}
		num, den := bench.SplitRatio(expr)
		q, err := rs.Ratio(name, num, den)
		if err != nil {
			return fmt.Errorf("--ratio %s: %w", name, err)
		}
		qs = append(qs, q)
	}
	bench.WriteRatios(os.Stdout, qs)
	return nil
}
