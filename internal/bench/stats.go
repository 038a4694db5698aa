package bench

import (
	"sort"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs to 60 s with three
// significant digits, HdrHistogram's usual setting.
const (
	histMin = 1
	histMax = int64(60 * time.Second / time.Microsecond)
	histSig = 3
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histSig) }

// tally is one worker's record; workers never share one, so recording takes
// no lock. The driver merges them at the end.
type tally struct {
	all    *hdrhistogram.Histogram
	ops    map[string]*hdrhistogram.Histogram
	status map[string]int64
	errs   int64
}

func newTally() *tally {
	return &tally{all: newHist(), ops: map[string]*hdrhistogram.Histogram{}, status: map[string]int64{}}
}

// record notes one finished step. Latencies above the histogram's range
// are clamped to it rather than lost.
func (t *tally) record(op string, status int, err error, lat time.Duration) {
	us := min(max(lat.Microseconds(), histMin), histMax)
	_ = t.all.RecordValue(us)
	h := t.ops[op]
	if h == nil {
		h = newHist()
		t.ops[op] = h
	}
	_ = h.RecordValue(us)
	key := strconv.Itoa(status)
	if err != nil && status == 0 {
		key = "transport"
	}
	t.status[key]++
	if !ok(status, err) {
		t.errs++
	}
}

func ok(status int, err error) bool { return err == nil && status >= 200 && status < 300 }

func (t *tally) merge(o *tally) {
	t.all.Merge(o.all)
	for op, h := range o.ops {
		if t.ops[op] == nil {
			t.ops[op] = newHist()
		}
		t.ops[op].Merge(h)
	}
	for k, n := range o.status {
		t.status[k] += n
	}
	t.errs += o.errs
}

// Latency summarises a histogram in milliseconds.
type Latency struct {
	Mean float64 `json:"mean_ms"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p99_9_ms"`
	Max  float64 `json:"max_ms"`
}

func summarize(h *hdrhistogram.Histogram) Latency {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Latency{
		Mean: h.Mean() / 1000,
		P50:  ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
		P99: ms(h.ValueAtQuantile(99)), P999: ms(h.ValueAtQuantile(99.9)),
		Max: ms(h.Max()),
	}
}

// OpResult is one operation's share of a run (a scenario may mix several).
type OpResult struct {
	Requests   int64   `json:"requests"`
	Throughput float64 `json:"throughput_rps"`
	Latency    Latency `json:"latency"`
}

// ServerStats are read from /proc for the server process during the
// measured window. They include its child processes (the hash worker):
// the peak RSS is then the sum of each process's peak.
type ServerStats struct {
	PID           int     `json:"pid"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUPerRequest float64 `json:"cpu_ms_per_request"`
	CPUCores      float64 `json:"cpu_cores_busy"` // CPU seconds per wall second
	// OwnCPUSeconds is the server process's alone, its children's left
	// out: with the hash worker (GATEHOUSE_HASH_NICE) that is everything a
	// sign-in costs but the argon2id hash (issue 13, item 2).
	OwnCPUSeconds    float64 `json:"own_cpu_seconds"`
	OwnCPUPerRequest float64 `json:"own_cpu_ms_per_request"`
	PeakRSSMiB       float64 `json:"peak_rss_mib"`
	RSSMiB           float64 `json:"rss_mib"`
	// The load tool's own CPU over the same window: on one machine it
	// competes with the server for the cores.
	ClientCPUSeconds    float64 `json:"client_cpu_seconds"`
	ClientCPUPerRequest float64 `json:"client_cpu_ms_per_request"`
	// PGNewConnections is how many connections were opened to the
	// server's PostgreSQL database in the window (pg_stat_database's
	// sessions; other clients of that database count too).
	PGNewConnections *int64 `json:"pg_new_connections,omitempty"`
}

// Result is one run of one scenario.
type Result struct {
	Scenario    string              `json:"scenario"`
	Mode        string              `json:"mode"` // closed or open
	Concurrency int                 `json:"concurrency"`
	Rate        float64             `json:"rate_rps,omitempty"`
	Seconds     float64             `json:"seconds"`
	Requests    int64               `json:"requests"`
	Throughput  float64             `json:"throughput_rps"`
	Errors      int64               `json:"errors"`
	Dropped     int64               `json:"dropped,omitempty"` // open loop: arrivals the client could not even queue
	Latency     Latency             `json:"latency"`
	Ops         map[string]OpResult `json:"ops"`
	Status      map[string]int64    `json:"status"`
	Server      *ServerStats        `json:"server,omitempty"`
}

func buildResult(t *tally, secs float64) Result {
	r := Result{Seconds: secs, Requests: t.all.TotalCount(), Errors: t.errs, Status: t.status,
		Latency: summarize(t.all), Ops: map[string]OpResult{}}
	r.Throughput = float64(r.Requests) / secs
	for op, h := range t.ops {
		r.Ops[op] = OpResult{Requests: h.TotalCount(), Throughput: float64(h.TotalCount()) / secs, Latency: summarize(h)}
	}
	return r
}

// OK counts the 2xx answers.
func (r Result) OK() int64 { return r.Requests - r.Errors }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
