package bench

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// countingScenario answers 200 on even steps and 503 on odd ones, and
// counts the steps.
type countingScenario struct{ steps atomic.Int64 }

func (s *countingScenario) NewWorker(context.Context, int) (Worker, error) {
	return workerFunc(func(context.Context) (string, int, error) {
		if s.steps.Add(1)%2 == 0 {
			return "op", 200, nil
		}
		return "op", 503, nil
	}), nil
}

func TestTheClosedLoopCountsEveryRecordedStepByStatus(t *testing.T) {
	sc := &countingScenario{}
	res, err := Run(context.Background(), sc, RunConfig{Concurrency: 3, Duration: 150 * time.Millisecond, Warmup: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Status["200"]+res.Status["503"] != res.Requests {
		t.Fatalf("requests %d, status %v: every recorded step must be counted once", res.Requests, res.Status)
	}
	if res.Errors != res.Status["503"] {
		t.Fatalf("errors %d, want the 503s %d", res.Errors, res.Status["503"])
	}
	if res.Requests >= sc.steps.Load() {
		t.Fatalf("recorded %d of %d steps: the warm-up must not be recorded", res.Requests, sc.steps.Load())
	}
}

// blockingScenario's steps wait until released, so that an open loop falls
// behind its schedule by a known amount.
type blockingScenario struct{ release chan struct{} }

func (s *blockingScenario) NewWorker(context.Context, int) (Worker, error) {
	return workerFunc(func(ctx context.Context) (string, int, error) {
		select {
		case <-s.release:
		case <-ctx.Done():
		}
		return "op", 200, nil
	}), nil
}

func TestTheOpenLoopChargesTheWaitForABusyWorkerToTheLatency(t *testing.T) {
	sc := &blockingScenario{release: make(chan struct{})}
	stall := 120 * time.Millisecond
	go func() {
		// The one worker is held for stall; the requests due meanwhile
		// queue behind it. Closing the channel then lets every step pass.
		<-time.After(stall)
		close(sc.release)
	}()
	res, err := Run(context.Background(), sc, RunConfig{Concurrency: 1, Rate: 200, Duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The first request was due at once and answered after the stall: a
	// closed loop would report it alone; the open loop reports it and
	// every request that waited behind it, from the time each was due.
	if res.Latency.Max < float64(stall.Milliseconds())*0.8 {
		t.Fatalf("max latency %.1f ms, want about the %v stall", res.Latency.Max, stall)
	}
	if res.Latency.P50 < 10 {
		t.Fatalf("median %.1f ms: the requests that queued behind the stall must carry their wait", res.Latency.P50)
	}
}

func TestOperationsCanBeSplitByStatus(t *testing.T) {
	res, err := Run(context.Background(), &countingScenario{}, RunConfig{Concurrency: 2, Duration: 80 * time.Millisecond, ByStatus: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops["op 200"].Requests == 0 || res.Ops["op 503"].Requests == 0 || len(res.Ops) != 2 {
		t.Fatalf("ops %v, want op 200 and op 503", sortedKeys(res.Ops))
	}
}

func TestAWorkerThatCannotBePreparedStopsTheRun(t *testing.T) {
	sc := scenarioFunc(func(context.Context, int) (Worker, error) { return nil, errors.New("no login") })
	if _, err := Run(context.Background(), sc, RunConfig{Concurrency: 1, Duration: time.Millisecond}); err == nil {
		t.Fatal("Run succeeded without workers")
	}
}

func TestTheStatusScenarioDrivesAServerOverHTTP(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/status" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	res, err := Target{URL: srv.URL, Duration: 100 * time.Millisecond}.Run(context.Background(), "status", RunConfig{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status["200"] == 0 || res.Errors != 0 || res.Status["200"] > hits.Load() {
		t.Fatalf("status %v errors %d, server saw %d", res.Status, res.Errors, hits.Load())
	}
}
