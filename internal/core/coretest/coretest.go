// Package coretest builds the domain services for the domain packages' own
// tests: the real wiring (app.New) over a real SQLite file, with a
// settable clock, fixture keys, cheap password hashing, mail and texts
// captured in memory, and no rate limits. Its tests call the domains
// directly, with no HTTP in between; each Env is fresh.
package coretest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/mail"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/sms/smstest"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

// Env is the domain services of one test.
type Env struct {
	Identity *identity.Service
	Factors  *identity.Factors
	Bank     *bank.Service
	Cashdesk *cashdesk.Service
	Clock    *testclock.Clock
	// Store is the database behind the services, for a test to arrange
	// rows or read what a rule wrote.
	Store sqlstore.Backend
	Mail  *Mailbox
	SMS   *smstest.Memory
	App   *app.App
}

// New builds the services on a fresh SQLite database; edit, when given,
// changes the configuration first (config.Default with rate limits off).
func New(t testing.TB, edit ...func(*config.Config)) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.DatabaseURL = "sqlite://" + filepath.Join(t.TempDir(), "gatehouse.db")
	cfg.RateLimits = "off"
	cfg.SMSURL = "log:"
	for _, fn := range edit {
		fn(&cfg)
	}
	hasher, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Clock: testclock.New(), Mail: &Mailbox{}, SMS: smstest.NewMemory()}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{
		Now: e.Clock.Now, Hasher: hasher, KeyGen: keystest.Generator(), Sender: e.Mail, SMS: e.SMS, Stderr: io.Discard,
		WrapStore: func(b sqlstore.Backend) sqlstore.Backend { e.Store = b; return b },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e.App, e.Identity, e.Factors, e.Bank, e.Cashdesk = a, a.Identity, a.Factors, a.Bank, a.Cashdesk
	return e
}

// Mailbox is a mail.Sender that keeps what it is given.
type Mailbox struct {
	mu   sync.Mutex
	sent []Sent
}

// Sent is one delivered mail.
type Sent struct {
	To  string
	Msg mail.Message
}

// Send keeps the mail.
func (m *Mailbox) Send(_ context.Context, _, to string, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, Sent{To: to, Msg: msg})
	return nil
}

// Flush delivers the mail queued so far, and returns every mail sent.
func (e *Env) Flush(t testing.TB) []Sent {
	t.Helper()
	if err := e.App.FlushMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Mail.mu.Lock()
	defer e.Mail.mu.Unlock()
	return append([]Sent(nil), e.Mail.sent...)
}
