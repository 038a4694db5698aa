package bench

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// checks sets the targets against the report's figures.
func checks(rep Report, c RefConfig) []Check {
	p := c.Parallelism
	run := func(name string, conc int) Result { return rep.Runs[fmt.Sprintf("%s/%d", name, conc)] }
	var out []Check
	atLeast := func(name string, fig, bound, min float64, unit string) {
		r := 0.0
		if bound > 0 {
			r = fig / bound
		}
		out = append(out, Check{Name: name, Figure: fig, Bound: bound, Unit: unit, Ratio: r,
			Target: fmt.Sprintf("≥ %.0f %%", min*100), Pass: r >= min})
	}
	atMost := func(name string, fig, limit float64, unit, target string) {
		r := 0.0
		if limit > 0 {
			r = fig / limit
		}
		out = append(out, Check{Name: name, Figure: fig, Bound: limit, Unit: unit, Ratio: r, Target: target, Pass: fig <= limit})
	}
	if _, ok := rep.Runs[fmt.Sprintf("login/%d", p)]; ok {
		atLeast("platform login vs argon2id hashes/s", run("login", p).Throughput, rep.Bounds["argon2id"].PerSecond, 0.9, "req/s")
	}
	if _, ok := rep.Runs[fmt.Sprintf("cashdesk-login/%d", p)]; ok {
		atLeast("cashdesk login vs argon2id hashes/s", run("cashdesk-login", p).Throughput, rep.Bounds["argon2id"].PerSecond, 0.9, "req/s")
	}
	if _, ok := rep.Runs[fmt.Sprintf("bank-login/%d", p)]; ok {
		atLeast("bank login (2 RSA-OAEP decryptions) vs argon2id hashes/s", run("bank-login", p).Throughput, rep.Bounds["argon2id"].PerSecond, 0.8, "req/s")
	}
	if _, ok := rep.Runs[fmt.Sprintf("apikey/%d", p)]; ok {
		atLeast("API-key reads vs GET /status", run("apikey", p).Throughput, run("status", p).Throughput, 0.5, "req/s")
	}
	if _, ok := rep.Runs[fmt.Sprintf("refresh/%d", p)]; ok {
		atLeast("refresh vs RS256 signatures/s", run("refresh", p).Throughput, rep.Bounds["sign"].PerSecond, 0.7, "req/s")
	}
	// The same comparisons in CPU time, which the other processes on a
	// shared machine disturb far less than throughput: the server's CPU
	// per request against the bound's CPU per operation (informational).
	if r := run("refresh", p); r.Server != nil && r.Server.CPUPerRequest > 0 {
		b := rep.Bounds["sign"].CPUPerOp
		out = append(out, Check{Name: "refresh: signature CPU / server CPU per refresh", Figure: r.Server.CPUPerRequest,
			Bound: b, Unit: "ms CPU", Ratio: b / r.Server.CPUPerRequest, Target: "(information)", Pass: true})
	}
	if r := run("login", p); r.Server != nil && r.Server.CPUPerRequest > 0 {
		b := rep.Bounds["argon2id"].CPUPerOp
		out = append(out, Check{Name: "platform login: argon2id CPU / server CPU per login", Figure: r.Server.CPUPerRequest,
			Bound: b, Unit: "ms CPU", Ratio: b / r.Server.CPUPerRequest, Target: "(information)", Pass: true})
	}
	if _, ok := rep.Runs[fmt.Sprintf("profile/%d", p)]; ok {
		atLeast("authenticated reads vs GET /status", run("profile", p).Throughput, run("status", p).Throughput, 0.5, "req/s")
	}
	for _, name := range c.Scenarios {
		hi, lo := run(name, p), run(name, 1)
		if hi.Requests == 0 || lo.Requests == 0 {
			continue
		}
		atMost(fmt.Sprintf("%s p99 at c=%d vs 3 × median at c=1", name, p), hi.Latency.P99, 3*lo.Latency.P50, "ms", "≤ 3 × median")
		atMost(fmt.Sprintf("%s errors at c=%d", name, p), float64(hi.Errors), 0, "errors", "none")
	}
	if ov, ok := rep.Runs["login/overload"]; ok {
		admitted := ov.Ops["login 200"]
		atMost("overload: p99 of admitted logins vs 3 × median at c=1", admitted.Latency.P99, 3*run("login", 1).Latency.P50, "ms", "≤ 3 × median")
		var rejected []OpResult
		for op, r := range ov.Ops {
			if strings.HasSuffix(op, " 503") || strings.HasSuffix(op, " 429") {
				rejected = append(rejected, r)
			}
		}
		for _, r := range rejected {
			atMost("overload: p99 of a 503/429", r.Latency.P99, 1000*1.2, "ms", "quick (≤ the pool's 1 s wait + 20 %)")
		}
		if ov.Server != nil {
			limit := float64(c.PoolSize)*c.MemoryMiB + 100
			atMost("overload: peak RSS", ov.Server.PeakRSSMiB, limit, "MiB", fmt.Sprintf("< pool %d × %.0f MiB + 100 MiB", c.PoolSize, c.MemoryMiB))
		}
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
