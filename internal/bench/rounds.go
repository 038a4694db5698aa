package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Rounds are the results of an interleaved A/B measurement: in each round
// every variant (the build before a change and after it, a setting off and
// on) ran every case, and the bounds were measured, one after the other, so
// that a disturbance of the shared machine has to hit one round unevenly
// to move a ratio. Files are named r<round>-<variant>-<case>.json (a
// Result) and r<round>-bound-<name>.json (a Bound).
type Rounds struct {
	Runs   map[int]map[string]Result // round → "variant/case" → result
	Bounds map[int]map[string]Bound  // round → bound name → bound
}

// LoadRounds reads every such file of dir.
func LoadRounds(dir string) (Rounds, error) {
	rs := Rounds{Runs: map[int]map[string]Result{}, Bounds: map[int]map[string]Bound{}}
	files, err := filepath.Glob(filepath.Join(dir, "r*-*-*.json"))
	if err != nil {
		return rs, err
	}
	for _, f := range files {
		parts := strings.SplitN(strings.TrimSuffix(filepath.Base(f), ".json"), "-", 3)
		round, err := strconv.Atoi(strings.TrimPrefix(parts[0], "r"))
		if err != nil || len(parts) != 3 {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			return rs, err
		}
		if parts[1] == "bound" {
			var b Bound
			if err := json.Unmarshal(raw, &b); err != nil {
				return rs, fmt.Errorf("%s: %w", f, err)
			}
			if rs.Bounds[round] == nil {
				rs.Bounds[round] = map[string]Bound{}
			}
			rs.Bounds[round][parts[2]] = b
			continue
		}
		var r Result
		if err := json.Unmarshal(raw, &r); err != nil {
			return rs, fmt.Errorf("%s: %w", f, err)
		}
		if rs.Runs[round] == nil {
			rs.Runs[round] = map[string]Result{}
		}
		rs.Runs[round][parts[1]+"/"+parts[2]] = r
	}
	if len(rs.Runs) == 0 {
		return rs, fmt.Errorf("no r<round>-<variant>-<case>.json in %s", dir)
	}
	return rs, nil
}

// Value reads one figure of a round: a number (a constant, such as a
// budget in ms), "bound:NAME" (the bound's per second), "bound:NAME:cpu"
// (its CPU ms per operation)
// or "VARIANT/CASE:METRIC", where METRIC is rps (2xx per second), p50,
// p99, cpu (server CPU ms per request, its hash worker's included),
// owncpu (the server process's alone), pgconn (new PostgreSQL
// connections), rss (peak MiB), s<code> (answers of that status per
// second), or OP.rps, OP.p50, OP.p99 for one operation of a mixed run.
func (rs Rounds) Value(round int, ref string) (float64, error) {
	if x, err := strconv.ParseFloat(ref, 64); err == nil {
		return x, nil // a constant: a budget, a target
	}
	if name, ok := strings.CutPrefix(ref, "bound:"); ok {
		name, cpu := strings.CutSuffix(name, ":cpu")
		b, ok := rs.Bounds[round][name]
		if !ok {
			return 0, fmt.Errorf("round %d: no bound %s", round, name)
		}
		if cpu {
			return b.CPUPerOp, nil
		}
		return b.PerSecond, nil
	}
	run, metric, _ := strings.Cut(ref, ":")
	r, ok := rs.Runs[round][run]
	if !ok {
		return 0, fmt.Errorf("round %d: no run %s", round, run)
	}
	return metricOf(r, metric)
}

func metricOf(r Result, metric string) (float64, error) {
	if op, m, ok := strings.Cut(metric, "."); ok {
		o, found := r.Ops[op]
		if !found {
			return 0, fmt.Errorf("%s: no operation %s", r.Scenario, op)
		}
		return latencyOr(m, o.Latency, o.Throughput)
	}
	switch {
	case metric == "rps":
		return float64(r.OK()) / r.Seconds, nil
	case metric == "cpu" && r.Server != nil:
		return r.Server.CPUPerRequest, nil
	case metric == "owncpu" && r.Server != nil:
		return r.Server.OwnCPUPerRequest, nil
	case metric == "rss" && r.Server != nil:
		return r.Server.PeakRSSMiB, nil
	case metric == "pgconn" && r.Server != nil && r.Server.PGNewConnections != nil:
		return float64(*r.Server.PGNewConnections), nil
	case strings.HasPrefix(metric, "s") && len(metric) == 4:
		return float64(r.Status[metric[1:]]) / r.Seconds, nil
	}
	return latencyOr(metric, r.Latency, r.Throughput)
}

func latencyOr(m string, l Latency, rps float64) (float64, error) {
	switch m {
	case "rps":
		return rps, nil
	case "p50":
		return l.P50, nil
	case "p90":
		return l.P90, nil
	case "p99":
		return l.P99, nil
	case "p99.9":
		return l.P999, nil
	case "max":
		return l.Max, nil
	}
	return 0, fmt.Errorf("unknown metric %q", m)
}

// Ratio is NUM/DEN evaluated in every round: its median and each round's.
type Ratio struct {
	Name   string
	Median float64
	Rounds []float64
	Num    []float64
	Den    []float64
}

// Ratio evaluates num/den in every round that has both.
func (rs Rounds) Ratio(name, num, den string) (Ratio, error) {
	q := Ratio{Name: name}
	for _, round := range rs.rounds() {
		n, err := rs.Value(round, num)
		if err != nil {
			return q, err
		}
		d := 1.0
		if den != "" {
			if d, err = rs.Value(round, den); err != nil {
				return q, err
			}
		}
		q.Num, q.Den = append(q.Num, n), append(q.Den, d)
		q.Rounds = append(q.Rounds, n/d)
	}
	q.Median = median(q.Rounds)
	return q, nil
}

func (rs Rounds) rounds() []int {
	var out []int
	for r := range rs.Runs {
		out = append(out, r)
	}
	sort.Ints(out)
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteRatios prints the ratios as a Markdown table: the median of the
// rounds' ratios, each round's, and the median figure and bound.
func WriteRatios(w io.Writer, qs []Ratio) {
	fmt.Fprintln(w, "| figure | ratio (median) | rounds | numerator (median) | denominator (median) |\n|---|---:|---|---:|---:|")
	for _, q := range qs {
		rounds := make([]string, len(q.Rounds))
		for i, x := range q.Rounds {
			rounds[i] = strconv.FormatFloat(x, 'g', 3, 64)
		}
		fmt.Fprintf(w, "| %s | %.3g | %s | %.4g | %.4g |\n", q.Name, q.Median, strings.Join(rounds, ", "), median(q.Num), median(q.Den))
	}
}

// SplitRatio splits NUM/DEN at the first slash after the numerator's
// colon: run names hold a slash of their own (variant/case:metric).
func SplitRatio(expr string) (num, den string) {
	colon := strings.Index(expr, ":")
	if colon < 0 {
		return expr, ""
	}
	slash := strings.Index(expr[colon:], "/")
	if slash < 0 {
		return expr, ""
	}
	return expr[:colon+slash], expr[colon+slash+1:]
}
