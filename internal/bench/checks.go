package bench

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
)

// ratioSpec is one "figure ≥ min × bound" target of the issue.
type ratioSpec struct {
	name, figure string  // check name; scenario whose throughput is the figure
	bound        string  // a bound ("argon2id", "sign") or a scenario ("status")
	min          float64 // the target
}

var ratioSpecs = []ratioSpec{
	{"platform login vs argon2id hashes/s", "login", "argon2id", 0.9},
	{"cashdesk login vs argon2id hashes/s", "cashdesk-login", "argon2id", 0.9},
	{"bank login (2 RSA-OAEP decryptions) vs argon2id hashes/s", "bank-login", "argon2id", 0.8},
	{"refresh vs RS256 signatures/s", "refresh", "sign", 0.7},
	{"authenticated reads vs GET /status", "profile", "status", 0.5},
	{"API-key reads vs GET /status", "apikey", "status", 0.5},
}

// checks sets the targets against the figures. Ratios are taken
// within each round and their median reported; rep's tables get the runs
// and bounds of the median round.
func checks(rep Report, rounds []round, c RefConfig) []Check {
	p := c.Parallelism
	key := func(name string) string { return fmt.Sprintf("%s/%d", name, p) }
	var out []Check
	for _, sp := range ratioSpecs {
		var ratios []float64
		var figs, bounds []float64
		for _, r := range rounds {
			fig, ok := r.runs[key(sp.figure)]
			if !ok {
				continue
			}
			var b float64
			if bd, ok := r.bounds[sp.bound]; ok {
				b = bd.PerSecond
			} else {
				b = r.runs[key(sp.bound)].Throughput
			}
			if b > 0 {
				ratios, figs, bounds = append(ratios, fig.Throughput/b), append(figs, fig.Throughput), append(bounds, b)
			}
		}
		if len(ratios) == 0 {
			continue
		}
		m := medianIndex(ratios)
		out = append(out, Check{Name: sp.name, Figure: figs[m], Bound: bounds[m], Unit: "req/s", Ratio: ratios[m],
			Rounds: ratios, Target: fmt.Sprintf("≥ %.0f %%", sp.min*100), Pass: ratios[m] >= sp.min})
		rep.Runs[key(sp.figure)] = rounds[roundOf(rounds, key(sp.figure), m)].runs[key(sp.figure)]
	}
	fillMedians(rep, rounds, c)
	out = append(out, cpuChecks(rep, p)...)
	out = append(out, latencyChecks(rep, rounds, c)...)
	if ov, ok := rep.Runs["login/overload"]; ok {
		out = append(out, overloadChecks(rep, ov, c)...)
	}
	return out
}

// roundOf maps the i-th ratio back to its round (rounds lacking the run
// were skipped when the ratios were collected).
func roundOf(rounds []round, run string, i int) int {
	for r := range rounds {
		if _, ok := rounds[r].runs[run]; ok {
			if i == 0 {
				return r
			}
			i--
		}
	}
	return 0
}

// medianIndex returns the index of the median of v (the lower one of an
// even count).
func medianIndex(v []float64) int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	return idx[(len(v)-1)/2]
}

// medianRun is the run of the round with the median throughput.
func medianRun(rounds []round, name string, p int) Result {
	k := fmt.Sprintf("%s/%d", name, p)
	var tp []float64
	var rs []Result
	for _, r := range rounds {
		if res, ok := r.runs[k]; ok {
			tp, rs = append(tp, res.Throughput), append(rs, res)
		}
	}
	if len(rs) == 0 {
		return Result{}
	}
	return rs[medianIndex(tp)]
}

// fillMedians puts into rep the median round's run of every scenario that
// no ratio chose, and the median bounds.
func fillMedians(rep Report, rounds []round, c RefConfig) {
	for _, name := range c.Scenarios {
		k := fmt.Sprintf("%s/%d", name, c.Parallelism)
		if _, ok := rep.Runs[k]; !ok {
			rep.Runs[k] = medianRun(rounds, name, c.Parallelism)
		}
	}
	for _, b := range []string{"argon2id", "sign"} {
		var v []float64
		var bs []Bound
		for _, r := range rounds {
			v, bs = append(v, r.bounds[b].PerSecond), append(bs, r.bounds[b])
		}
		if len(bs) > 0 {
			rep.Bounds[b] = bs[medianIndex(v)]
		}
	}
}

// cpuChecks compare in CPU time, which the other processes of a shared
// machine disturb far less than throughput: the server's CPU per request
// against the bound's CPU per operation (information, no target).
func cpuChecks(rep Report, p int) []Check {
	var out []Check
	for _, x := range []struct{ name, run, bound string }{
		{"refresh: signature CPU / server CPU per refresh", "refresh", "sign"},
		{"platform login: argon2id CPU / server CPU per login", "login", "argon2id"},
	} {
		r := rep.Runs[fmt.Sprintf("%s/%d", x.run, p)]
		if r.Server == nil || r.Server.CPUPerRequest <= 0 {
			continue
		}
		b := rep.Bounds[x.bound].CPUPerOp
		out = append(out, Check{Name: x.name, Figure: r.Server.CPUPerRequest, Bound: b, Unit: "ms CPU",
			Ratio: b / r.Server.CPUPerRequest, Target: "(information)", Pass: true})
	}
	return out
}

// latencyChecks: for each operation, p99 at Parallelism against three
// times its median alone (c=1), and no errors in any round.
func latencyChecks(rep Report, rounds []round, c RefConfig) []Check {
	var out []Check
	for _, name := range c.Scenarios {
		hi, lo := rep.Runs[fmt.Sprintf("%s/%d", name, c.Parallelism)], rep.Runs[name+"/1"]
		for _, op := range sortedKeys(hi.Ops) {
			single, ok := lo.Ops[op]
			if !ok || single.Requests == 0 {
				continue
			}
			lim := 3 * single.Latency.P50
			p99 := hi.Ops[op].Latency.P99
			out = append(out, Check{Name: fmt.Sprintf("%s: %s p99 at c=%d vs 3 × its median at c=1", name, op, c.Parallelism),
				Figure: p99, Bound: lim, Unit: "ms", Ratio: p99 / lim, Target: "≤ 3 × median", Pass: p99 <= lim})
		}
		var errs float64
		for _, r := range rounds {
			errs += float64(r.runs[fmt.Sprintf("%s/%d", name, c.Parallelism)].Errors)
		}
		out = append(out, Check{Name: fmt.Sprintf("%s: errors at c=%d, all rounds", name, c.Parallelism),
			Figure: errs, Unit: "errors", Target: "none", Pass: errs == 0})
	}
	return out
}

func overloadChecks(rep Report, ov Result, c RefConfig) []Check {
	var out []Check
	single := rep.Runs["login/1"].Latency.P50
	admitted := ov.Ops["login 200"]
	out = append(out, Check{Name: "overload: p99 of admitted logins vs 3 × median at c=1", Figure: admitted.Latency.P99,
		Bound: 3 * single, Unit: "ms", Ratio: admitted.Latency.P99 / (3 * single), Target: "≤ 3 × median",
		Pass: admitted.Latency.P99 <= 3*single})
	for _, op := range sortedKeys(ov.Ops) {
		if !strings.HasSuffix(op, " 503") && !strings.HasSuffix(op, " 429") {
			continue
		}
		p99 := ov.Ops[op].Latency.P99
		out = append(out, Check{Name: "overload: p99 of " + op, Figure: p99, Bound: 3 * single, Unit: "ms",
			Ratio: p99 / (3 * single), Target: "quick: ≤ 3 × a login's median", Pass: p99 <= 3*single})
	}
	if ov.Server != nil {
		limit := float64(c.PoolSize)*c.MemoryMiB + 100
		out = append(out, Check{Name: "overload: peak RSS", Figure: ov.Server.PeakRSSMiB, Bound: limit, Unit: "MiB",
			Ratio: ov.Server.PeakRSSMiB / limit, Target: fmt.Sprintf("< pool %d × %.0f MiB + 100 MiB", c.PoolSize, c.MemoryMiB),
			Pass: ov.Server.PeakRSSMiB < limit})
	}
	return out
}

// Machine describes this machine in one line: CPU model, cores, memory.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if l, _, ok := strings.Cut(string(b), "\n"); ok {
			mem = ", " + strings.Join(strings.Fields(l)[1:], " ") + " RAM"
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s %s/%s", model, runtime.NumCPU(), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
