package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints results for people: one line per run and, when a run
// mixes operations, one indented line per operation.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tmode\tconc\trate\treq/s\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tmax ms\terrors\tsrv CPU ms/req\tstatus\t")
	for _, r := range results {
		rate := "-"
		if r.Rate > 0 {
			rate = fmt.Sprintf("%.0f", r.Rate)
		}
		cpu := "-"
		if r.Server != nil {
			cpu = fmt.Sprintf("%.2f", r.Server.CPUPerRequest)
		}
		l := r.Latency
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%s\t%s\t\n",
			r.Scenario, r.Mode, r.Concurrency, rate, r.Throughput, l.P50, l.P90, l.P99, l.P999, l.Max,
			r.Errors, cpu, statusLine(r.Status))
		if len(r.Ops) > 1 {
			for _, op := range sortedKeys(r.Ops) {
				o := r.Ops[op]
				fmt.Fprintf(tw, "  %s\t\t\t\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\t\t\t\n",
					op, o.Throughput, o.Latency.P50, o.Latency.P90, o.Latency.P99, o.Latency.P999, o.Latency.Max)
			}
		}
	}
	return tw.Flush()
}

func statusLine(m map[string]int64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s:%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// WriteMarkdown prints a report's bounds, checks and runs as Markdown
// tables, for BENCHMARKS.md.
func WriteMarkdown(w io.Writer, rep Report) {
	fmt.Fprintf(w, "Machine: %s. Parallelism %d. Run at %s.\n\n", rep.Machine, rep.Parallelism, rep.When.Format("2006-01-02 15:04 MST"))
	if rep.Layout != "" {
		fmt.Fprintf(w, "Layout: %s.\n\n", rep.Layout)
	}
	fmt.Fprintln(w, "| bound (in process) | parallelism | per second | median ms |\n|---|---:|---:|---:|")
	for _, k := range sortedKeys(rep.Bounds) {
		b := rep.Bounds[k]
		fmt.Fprintf(w, "| %s | %d | %.1f | %.2f |\n", k, b.Parallelism, b.PerSecond, b.Median)
	}
	fmt.Fprintf(w, "\n%d interleaved rounds; each ratio is the median of the rounds' ratios, listed after it.\n\n", rep.Rounds)
	fmt.Fprintln(w, "| target | figure | bound | ratio (rounds) | target | met |\n|---|---:|---:|---:|---|---|")
	for _, c := range rep.Checks {
		met := "yes"
		if !c.Pass {
			met = "**no**"
		}
		ratio := fmt.Sprintf("%.0f %%", 100*c.Ratio)
		if len(c.Rounds) > 1 {
			var rs []string
			for _, r := range c.Rounds {
				rs = append(rs, fmt.Sprintf("%.0f", 100*r))
			}
			ratio += " (" + strings.Join(rs, ", ") + ")"
		}
		if c.Unit == "errors" {
			fmt.Fprintf(w, "| %s | %.0f | | | %s | %s |\n", c.Name, c.Figure, c.Target, met)
			continue
		}
		fmt.Fprintf(w, "| %s | %.2f %s | %.2f %s | %s | %s | %s |\n", c.Name, c.Figure, c.Unit, c.Bound, c.Unit, ratio, c.Target, met)
	}
	fmt.Fprintln(w, "\n| run | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors | server CPU ms/req | client CPU ms/req | server cores busy | peak RSS MiB | status |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, k := range sortedKeys(rep.Runs) {
		r := rep.Runs[k]
		cpu, ccpu, busy, rss := "-", "-", "-", "-"
		if s := r.Server; s != nil {
			cpu, ccpu = fmt.Sprintf("%.3f", s.CPUPerRequest), fmt.Sprintf("%.3f", s.ClientCPUPerRequest)
			busy, rss = fmt.Sprintf("%.2f", s.CPUCores), fmt.Sprintf("%.0f", s.PeakRSSMiB)
		}
		l := r.Latency
		fmt.Fprintf(w, "| %s | %.1f | %.2f | %.2f | %.2f | %.2f | %d | %s | %s | %s | %s | %s |\n",
			k, r.Throughput, l.P50, l.P90, l.P99, l.P999, r.Errors, cpu, ccpu, busy, rss, statusLine(r.Status))
		if len(r.Ops) > 1 {
			for _, op := range sortedKeys(r.Ops) {
				o := r.Ops[op]
				fmt.Fprintf(w, "| &nbsp;&nbsp;%s | %.1f | %.2f | %.2f | %.2f | %.2f | | | | | | |\n",
					op, o.Throughput, o.Latency.P50, o.Latency.P90, o.Latency.P99, o.Latency.P999)
			}
		}
	}
}
