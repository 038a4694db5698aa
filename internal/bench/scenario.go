package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
)

// Scenario is one kind of traffic. Scenarios are small pluggable pieces:
// each door's are in a file of their own and register themselves in
// Scenarios.
type Scenario interface {
	// NewWorker prepares one worker's own state (its session, its refresh
	// chain) before the clock starts. Workers are used by one goroutine.
	NewWorker(ctx context.Context, id int) (Worker, error)
}

// Worker makes one request per Step and reports which operation it was and
// the HTTP status (0 with err on a transport failure).
type Worker interface {
	Step(ctx context.Context) (op string, status int, err error)
}

// SeedPassword is the seeded users' password unless told otherwise.
const SeedPassword = "bench-Password-1"

// Env is what scenarios are built from.
type Env struct {
	Client     *Client
	SeedUsers  int    // users made by `gatehouse-bench seed`, u<i>@seed.bench
	SeedDomain string // default seed.bench
	Password   string // the seeded users' password
	Mail       *MailSink
	RunID      string    // makes the e-mails of registrations unique across runs
	AdminToken string    // for set-up through the admin API (the bank door's client)
	Mix        []MixPart // the mix scenario's operations and rates
}

// SeedEmail is the address of seeded user i.
func (e Env) SeedEmail(i int) string { return fmt.Sprintf("u%d@%s", i, e.SeedDomain) }

// randomUser picks one seeded user.
func (e Env) randomUser() string { return e.SeedEmail(rand.IntN(max(e.SeedUsers, 1))) }

// Factory builds a scenario; Doc says what it does.
type Factory struct {
	Doc string
	New func(Env) (Scenario, error)
}

var (
	registryMu sync.Mutex
	registry   = map[string]Factory{}
)

// Register adds a scenario under name; doors' scenario files call it from
// init.
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("bench: scenario registered twice: " + name)
	}
	registry[name] = f
}

// Lookup returns the named scenario's factory.
func Lookup(name string) (Factory, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	f, ok := registry[name]
	return f, ok
}

// Names lists the registered scenarios, sorted.
func Names() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	var n []string
	for k := range registry {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// workerFunc adapts a function to Worker.
type workerFunc func(ctx context.Context) (string, int, error)

func (f workerFunc) Step(ctx context.Context) (string, int, error) { return f(ctx) }

// scenarioFunc adapts a function to Scenario.
type scenarioFunc func(ctx context.Context, id int) (Worker, error)

func (f scenarioFunc) NewWorker(ctx context.Context, id int) (Worker, error) { return f(ctx, id) }
