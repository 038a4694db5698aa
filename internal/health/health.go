// Package health keeps the server's view of its own health: whether the
// database answers, whether its last write failed for lack of room or
// resources, and whether the server is shutting down. The state is
// refreshed in the background (at most once a second) and fed by the
// storage layer, so that /status answers from memory and a flood of status
// checks never reaches the database. The management listener's readiness
// (/readyz) reads the same State.
package health

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Answers of a failing check, as /status names them. They are fixed words:
// /status is public and must not carry a database's error text.
const (
	Unreachable = "unreachable"
	Stopping    = "stopping"
	// Behind: the database's schema lacks migrations this binary needs.
	Behind = "behind"
)

// A Check is one dependency the background refresh asks (the database's
// ping, the schema's migrations, Redis). A nil error means healthy; a
// failure is reported as Unreachable unless the error says otherwise
// (Fail).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// failure is an error with the fixed word a failing check reports.
type failure struct {
	answer string
	err    error
}

func (f *failure) Error() string { return f.answer + ": " + f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// Fail is the error of a check that answered, but wrongly: answer is the
// fixed word reported for it ("behind"); err, logged, says what is wrong.
func Fail(answer string, err error) error { return &failure{answer: answer, err: err} }

// answerOf is the word reported for a check that failed with err.
func answerOf(err error) string {
	if f, ok := errors.AsType[*failure](err); ok {
		return f.answer
	}
	return Unreachable
}

// Options configure a State.
type Options struct {
	Now    func() time.Time // the server's clock (tests inject one)
	Log    *slog.Logger     // changes of state, once each; nil: not logged
	Checks []Check
	// Probe is a small real write. It runs in Refresh while a write fault
	// is outstanding and Hold has passed since the last failure, so that
	// the fault clears on its own once the database accepts writes again,
	// even when no client writes (a load balancer that took the node out
	// of service sends none). Its outcome reaches the State through the
	// storage layer (WriteFailed, WriteSucceeded).
	Probe func(ctx context.Context) error
	// Hold is how long after a failed write the probe waits; default 5s.
	Hold time.Duration
	// Timeout bounds each check and the probe; default 2s.
	Timeout time.Duration
	// RetryAfter is what a degraded or stopping State tells clients;
	// default 5s. A write fault tells FaultRetryAfter instead.
	RetryAfter, FaultRetryAfter time.Duration
}

// State is safe for concurrent use.
type State struct {
	o Options

	mu       sync.Mutex
	names    []string          // of the checks, in order
	failing  map[string]string // check name → answer, for checks that failed their last run
	fault    string            // class of the last failed write ("disk_full", …), "" when none
	faultAt  time.Time
	stopping bool

	faulty    atomic.Bool // fault != "": lets WriteSucceeded skip the lock on the hot path
	refreshMu sync.Mutex  // one Refresh at a time
}

// New returns a State that is healthy until a check or a write says otherwise.
func New(o Options) *State {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Hold <= 0 {
		o.Hold = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 5 * time.Second
	}
	if o.FaultRetryAfter <= 0 {
		o.FaultRetryAfter = 30 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Checks = slices.Clone(o.Checks) // AddCheck appends to it
	s := &State{o: o, failing: map[string]string{}}
	for _, c := range o.Checks {
		s.names = append(s.names, c.Name)
	}
	return s
}

// AddCheck adds c to the checks that Refresh runs. Call it before Run.
func (s *State) AddCheck(c Check) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	s.o.Checks = append(s.o.Checks, c)
	s.mu.Lock()
	s.names = append(s.names, c.Name)
	s.mu.Unlock()
}

// CheckNames lists the names of the checks, in the order they run, so
// that readiness can show the passing ones too. It does not wait for a
// running Refresh.
func (s *State) CheckNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.names...)
}

// WriteFailed records that a write failed for lack of room or resources;
// class names the fault ("disk_full", "insufficient_resources"). The State
// stays degraded until a later write succeeds.
func (s *State) WriteFailed(class string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fault != class {
		// The requests that meet it answer a typed 503, which is not
		// logged: this line is the operator's news of it.
		s.o.Log.Error("health: the database refuses writes; status is degraded", "fault", class)
	}
	s.fault, s.faultAt = class, s.o.Now()
	s.faulty.Store(true)
}

// WriteSucceeded records a committed write: the database accepts writes
// again. Called on every write, so it costs an atomic load when all is well.
func (s *State) WriteSucceeded() {
	if !s.faulty.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fault != "" {
		s.o.Log.Info("health: the database accepts writes again", "fault", s.fault)
	}
	s.fault = ""
	s.faulty.Store(false)
}

// BeginShutdown marks the server as stopping: from now on the State
// reports "stopping", so that load balancers take the node out of service
// while it still serves (GATEHOUSE_SHUTDOWN_DELAY).
func (s *State) BeginShutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = true
}

// Report is the State at one moment.
type Report struct {
	// Status is "ok", "degraded" (a check or the last write failed) or
	// "stopping" (shutdown began).
	Status string
	// Checks names what is wrong: check or dependency → a fixed word
	// ("unreachable", "disk_full", …). Empty when Status is "ok".
	Checks     map[string]string
	RetryAfter time.Duration // zero when Status is "ok"
}

// OK reports whether the server is fit to serve.
func (r Report) OK() bool { return r.Status == "ok" }

// Healthy is Report().OK() without making the report: what a probe
// answered 200 many times a second asks.
func (s *State) Healthy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.stopping && s.fault == "" && len(s.failing) == 0
}

// Report returns the current state without asking any dependency.
func (s *State) Report() Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Report{Status: "ok", Checks: map[string]string{}}
	for name, answer := range s.failing {
		r.Checks[name] = answer
	}
	if s.fault != "" {
		r.Checks["database"] = s.fault
	}
	switch {
	case s.stopping:
		r.Status, r.RetryAfter = "stopping", s.o.RetryAfter
		r.Checks["server"] = Stopping
	case s.fault != "":
		r.Status, r.RetryAfter = "degraded", s.o.FaultRetryAfter
	case len(r.Checks) > 0:
		r.Status, r.RetryAfter = "degraded", s.o.RetryAfter
	}
	return r
}

// Refresh runs every check once (and the probe when a write fault is due
// for one) and records the outcome. Concurrent calls run one at a time.
func (s *State) Refresh(ctx context.Context) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	failing := map[string]string{}
	for _, c := range s.o.Checks {
		cctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
		if err := c.Run(cctx); err != nil && ctx.Err() == nil {
			failing[c.Name] = answerOf(err)
			if _, was := s.failingNow(c.Name); !was {
				s.o.Log.Error("health: check failed; status is degraded", "check", c.Name, "err", err)
			}
		} else if _, was := s.failingNow(c.Name); was && ctx.Err() == nil {
			s.o.Log.Info("health: check passes again", "check", c.Name)
		}
		cancel()
	}
	s.mu.Lock()
	s.failing = failing
	probe := s.fault != "" && s.o.Probe != nil && !s.o.Now().Before(s.faultAt.Add(s.o.Hold))
	s.mu.Unlock()
	if probe {
		pctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
		_ = s.o.Probe(pctx) // the storage layer reports the outcome
		cancel()
	}
}

func (s *State) failingNow(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.failing[name]
	return v, ok
}

// Run refreshes the State at once and then every interval (at least a
// second) until ctx ends.
func (s *State) Run(ctx context.Context, interval time.Duration) {
	interval = max(interval, time.Second)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.Refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
