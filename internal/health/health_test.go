package health

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func want(t *testing.T, s *State, status string, checks map[string]string) {
	t.Helper()
	r := s.Report()
	if r.Status != status || len(r.Checks) != len(checks) {
		t.Fatalf("report %+v, want %s %v", r, status, checks)
	}
	for k, v := range checks {
		if r.Checks[k] != v {
			t.Fatalf("report %+v, want %s %v", r, status, checks)
		}
	}
	if (status == "ok") != (r.RetryAfter == 0) {
		t.Fatalf("status %s with Retry-After %v", status, r.RetryAfter)
	}
}

func TestAFailingCheckDegradesTheStateUntilItPassesAgain(t *testing.T) {
	var down error
	s := New(Options{Checks: []Check{{Name: "database", Run: func(context.Context) error { return down }}}})
	s.Refresh(context.Background())
	want(t, s, "ok", nil)
	down = errors.New("connection refused")
	want(t, s, "ok", nil) // Report never asks the database itself
	s.Refresh(context.Background())
	want(t, s, "degraded", map[string]string{"database": Unreachable})
	down = nil
	s.Refresh(context.Background())
	want(t, s, "ok", nil)
}

func TestAFailedWriteDegradesTheStateUntilAWriteSucceeds(t *testing.T) {
	c := &clock{now: time.Unix(1e9, 0)}
	probes := 0
	var s *State
	s = New(Options{Now: c.Now, Hold: 5 * time.Second, Probe: func(context.Context) error {
		probes++
		s.WriteSucceeded() // as the storage layer reports a committed probe
		return nil
	}})
	s.WriteFailed("disk_full")
	want(t, s, "degraded", map[string]string{"database": "disk_full"})
	if r := s.Report(); r.RetryAfter != 30*time.Second {
		t.Fatalf("a write fault's Retry-After is %v", r.RetryAfter)
	}
	s.Refresh(context.Background()) // within the hold: no probe, still degraded
	if probes != 0 {
		t.Fatal("probed within the hold")
	}
	want(t, s, "degraded", map[string]string{"database": "disk_full"})

	s.WriteSucceeded() // a client's write went through
	want(t, s, "ok", nil)

	s.WriteFailed("disk_full")
	c.Advance(5 * time.Second)
	s.Refresh(context.Background()) // past the hold: the probe writes and clears
	if probes != 1 {
		t.Fatalf("%d probes", probes)
	}
	want(t, s, "ok", nil)
	s.Refresh(context.Background())
	if probes != 1 {
		t.Fatal("probed with no fault outstanding")
	}
}

func TestAFailedProbeKeepsTheStateDegraded(t *testing.T) {
	c := &clock{now: time.Unix(1e9, 0)}
	var s *State
	s = New(Options{Now: c.Now, Probe: func(context.Context) error {
		s.WriteFailed("disk_full")
		return errors.New("disk full")
	}})
	s.WriteFailed("insufficient_resources")
	c.Advance(time.Minute)
	s.Refresh(context.Background())
	want(t, s, "degraded", map[string]string{"database": "disk_full"})
}

func TestShutdownReportsStoppingWhateverElseHolds(t *testing.T) {
	s := New(Options{})
	s.BeginShutdown()
	want(t, s, "stopping", map[string]string{"server": Stopping})
	s.WriteFailed("disk_full")
	want(t, s, "stopping", map[string]string{"server": Stopping, "database": "disk_full"})
}

func TestRunRefreshesAtOnceAndStopsWithItsContext(t *testing.T) {
	ran := make(chan struct{}, 1)
	s := New(Options{Checks: []Check{{Name: "database", Run: func(context.Context) error {
		select {
		case ran <- struct{}{}:
		default:
		}
		return errors.New("down")
	}}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, time.Hour); close(done) }()
	<-ran // the first refresh runs before the first tick
	cancel()
	<-done
}

func TestEachChangeOfStateIsLoggedOnce(t *testing.T) {
	var log bytes.Buffer
	var down error
	s := New(Options{Log: slog.New(slog.NewTextHandler(&log, nil)),
		Checks: []Check{{Name: "database", Run: func(context.Context) error { return down }}}})
	for range 3 {
		s.WriteFailed("disk_full")
	}
	for range 3 {
		s.WriteSucceeded()
	}
	down = errors.New("connection refused")
	s.Refresh(context.Background())
	s.Refresh(context.Background())
	down = nil
	s.Refresh(context.Background())
	s.Refresh(context.Background())
	out := log.String()
	for msg, n := range map[string]int{"the database refuses writes": 1, "accepts writes again": 1, "check failed": 1, "check passes again": 1} {
		if got := strings.Count(out, msg); got != n {
			t.Errorf("%q logged %d times, want %d:\n%s", msg, got, n, out)
		}
	}
}

func TestACheckNamesItsOwnAnswerAndChecksCanBeAddedBeforeTheRun(t *testing.T) {
	var behind, redisDown error
	s := New(Options{Checks: []Check{{Name: "database", Run: func(context.Context) error { return nil }}}})
	s.AddCheck(Check{Name: "migrations", Run: func(context.Context) error { return behind }})
	s.AddCheck(Check{Name: "redis", Run: func(context.Context) error { return redisDown }})
	if got := s.CheckNames(); strings.Join(got, ",") != "database,migrations,redis" {
		t.Fatalf("CheckNames() = %v", got)
	}
	s.Refresh(context.Background())
	want(t, s, "ok", nil)
	behind = Fail(Behind, errors.New("0013_next is not applied"))
	redisDown = errors.New("connection refused")
	s.Refresh(context.Background())
	want(t, s, "degraded", map[string]string{"migrations": Behind, "redis": Unreachable})
	behind, redisDown = nil, nil
	s.Refresh(context.Background())
	want(t, s, "ok", nil)
}
