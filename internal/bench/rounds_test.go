package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func writeJSON(t *testing.T, dir, name string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRoundsDivideEachFigureByTheBoundOfItsOwnRound(t *testing.T) {
	dir := t.TempDir()
	for r, f := range map[string][2]float64{"1": {40, 50}, "2": {30, 50}, "3": {45, 45}} { // login rps, bound
		writeJSON(t, dir, "r"+r+"-bound-argon2id.json", Bound{Name: "argon2id", PerSecond: f[1], CPUPerOp: 20})
		writeJSON(t, dir, "r"+r+"-after-login16.json", Result{Scenario: "login", Seconds: 10, Requests: int64(f[0] * 10),
			Status: map[string]int64{"200": int64(f[0] * 10)},
			Ops:    map[string]OpResult{"login": {Throughput: f[0], Latency: Latency{P99: 2 * f[0]}}}})
	}
	writeJSON(t, dir, "notes.json", map[string]string{}) // not a round's file: ignored
	rs, err := LoadRounds(dir)
	if err != nil {
		t.Fatal(err)
	}
	num, den := SplitRatio("after/login16:rps/bound:argon2id")
	if num != "after/login16:rps" || den != "bound:argon2id" {
		t.Fatalf("SplitRatio = %q, %q", num, den)
	}
	q, err := rs.Ratio("login share", num, den)
	if err != nil {
		t.Fatal(err)
	}
	// Rounds: 0.8, 0.6, 1.0 — the median of the ratios, not the ratio of
	// the medians (40/50).
	if q.Median != 0.8 || len(q.Rounds) != 3 || q.Rounds[1] != 0.6 {
		t.Fatalf("ratio %+v; want median 0.8 of 0.8, 0.6, 1.0", q)
	}
	p99, err := rs.Ratio("p99", "after/login16:login.p99", "")
	if err != nil || p99.Median != 80 {
		t.Fatalf("login p99 median %v, %v; want 80", p99.Median, err)
	}
	if budget, err := rs.Ratio("p99 / budget", "after/login16:login.p99", "2000"); err != nil || budget.Median != 0.04 {
		t.Fatalf("p99 against a 2000 ms budget: %v, %v; want 0.04", budget.Median, err)
	}
	if cpu, err := rs.Value(1, "bound:argon2id:cpu"); err != nil || cpu != 20 {
		t.Fatalf("the bound's CPU per hash: %v, %v; want 20", cpu, err)
	}
	s200, err := rs.Value(2, "after/login16:s200")
	if err != nil || s200 != 30 {
		t.Fatalf("200s per second in round 2: %v, %v; want 30", s200, err)
	}
	if _, err := rs.Value(1, "after/flood:rps"); err == nil {
		t.Fatal("a run that was not made has a value")
	}
}
