// Package app assembles Gatehouse from its configuration: it opens and
// migrates the database, loads the master key and the key rings, builds
// the domain services (identity, bank, cashdesk) over their views of the
// one store, and the adapters of the ports they declare (the password
// hasher, the rate limiter, the mail and SMS outboxes). The server and the
// CLI's commands take the services they call from an App; only this
// package holds the store.
package app

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"
	_ "time/tzdata" // the cashdesk and bank zones load on hosts without zoneinfo

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/idempotency"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/mail"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/requestid"
	"github.com/gatehouse/gatehouse/internal/sms"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Options are the seams tests use; production leaves them zero but for
// LimitMemory.
type Options struct {
	Now    func() time.Time                        // default time.Now
	Hasher identity.PasswordHasher                 // default argon2id with the password package's parameters
	Sender mail.Sender                             // default from GATEHOUSE_SMTP_URL
	KeyGen func(alg string) (crypto.Signer, error) // default crypto/rand generation
	Stderr io.Writer                               // where dev mail and texts go; default os.Stderr
	SMS    sms.Sender                              // bank door OTP_SMS; default from GATEHOUSE_SMS_URL
	// WrapStore, when set, wraps the opened store (tests inject faults).
	WrapStore StoreWrapper
	// Repair opens a database whose stored e-mail addresses collide (the
	// CLI's repair commands); App.Collisions names them. Without it such
	// a database stops the start (SECURITY.md "E-mail identity").
	Repair bool
	// LimitMemory sets the process-wide soft memory limit that the
	// default hasher's pool needs (limitMemory): `gatehouse serve` sets
	// it; a CLI command that only reads and writes the store does not.
	LimitMemory bool
}

// StoreWrapper wraps the opened store: tests inject faults, or keep it to
// arrange rows and read what was written.
type StoreWrapper = func(sqlstore.Backend) sqlstore.Backend

// App is a wired Gatehouse without its HTTP surface.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Identity *identity.Service
	// Factors are the account's TOTP and recovery codes, on every door.
	Factors  *identity.Factors
	Bank     *bank.Service
	Cashdesk *cashdesk.Service
	Signing  *keys.Ring
	// Credential is the bank door's credential-encryption key ring (use enc).
	Credential *keys.Ring
	Outbox     *mail.Outbox
	Sender     mail.Sender
	// SMSOutbox and SMSSender deliver OTP_SMS codes; nil without an SMS
	// gateway (GATEHOUSE_SMS_URL empty).
	SMSOutbox *sms.Outbox
	SMSSender sms.Sender
	// Replies keeps the replies of requests made with an Idempotency-Key.
	Replies *idempotency.Keeper
	// Health is what /status reports: refreshed in the background, fed by
	// the store's faults, turned to "stopping" by shutdown.
	Health *health.State
	// Collisions, with Options.Repair, are the accounts whose stored
	// e-mail addresses share a key; nil when there are none.
	Collisions *migrations.CollisionError

	// OnRateLimited, when set, hears every request a rate limit refused,
	// by endpoint (the server's metrics).
	OnRateLimited func(endpoint string)

	opts       Options
	store      sqlstore.Backend
	raw        *sqlstore.Store // the store as opened, before Options.WrapStore; nil for other stores
	limits     identity.Limiter
	closeLimit func() error
}

// New wires Gatehouse from cfg. The caller owns Close.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	// Every line logged with a request's context names the request.
	log = slog.New(requestid.NewHandler(log.Handler()))
	a := &App{Config: cfg, Log: log, opts: opts}
	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	a.raw, _ = a.store.(*sqlstore.Store)
	a.logSchema()
	a.Health = newHealth(a.store, opts.Now, log)
	if opts.WrapStore != nil {
		a.store = opts.WrapStore(a.store)
	}
	defer func() {
		if err != nil {
			a.store.Close()
		}
	}()
	sealer, err := a.buildKeys(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.buildIdentity(sealer); err != nil {
		return nil, err
	}
	a.Cashdesk = cashdesk.New(sqlstore.Cashdesk(a.store), a.Identity)
	if err := a.buildBank(ctx, cfg, sealer); err != nil {
		return nil, err
	}
	return a, nil
}

// buildKeys loads the master key and makes sure the signing ring has a key.
func (a *App) buildKeys(ctx context.Context) (*keys.Sealer, error) {
	sealer, err := keys.LoadSealer(a.Config.MasterKey, a.Config.MasterKeyPrevious, a.Config.SQLitePath())
	if err != nil {
		return nil, err
	}
	a.Signing = keys.NewRing(a.store, sealer, a.ringOptions(keys.RingOptions{
		Use: "sig", Alg: a.Config.SigningAlg, TokenTTL: a.Config.LongestTokenTTL(),
	}))
	if err := a.Signing.Ensure(ctx); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	a.Replies = &idempotency.Keeper{Store: a.store, Sealer: sealer, Now: a.opts.Now}
	return sealer, nil
}

// buildIdentity wires the identity domain, its factors and their adapters.
func (a *App) buildIdentity(sealer *keys.Sealer) (err error) {
	cfg := a.Config
	if a.Sender = a.opts.Sender; a.Sender == nil {
		if a.Sender, err = newSender(cfg, a.opts.Stderr); err != nil {
			return err
		}
	}
	a.Outbox = mail.NewOutbox(sealer, cfg.MailFrom, a.opts.Now)
	a.Outbox.Log = a.Log
	hasher := a.opts.Hasher
	if hasher == nil {
		// A queue as long as the pool: an admitted login then waits for at
		// most one hash before its own, so its latency stays within about
		// twice a lone login's, and the excess gets 503 at once (the
		// default, four per worker, let admitted logins wait four hashes
		// under overload; BENCHMARKS.md).
		workers := runtime.NumCPU()
		if hasher, err = password.New(password.Options{Params: password.DefaultParams(), Workers: workers, Queue: workers}); err != nil {
			return err
		}
		if a.opts.LimitMemory {
			limitMemory(workers, password.DefaultParams())
		}
	}
	if a.limits, a.closeLimit, err = newLimiter(cfg, a.Log, a.opts.Now); err != nil {
		return err
	}
	a.watchRedis()
	a.Identity = identity.New(sqlstore.Identity(a.store), identity.Service{
		Hasher: hasher, Tokens: a.Signing, Sealer: sealer, Mail: a.Outbox,
		Passwords: password.Policy{MinLength: cfg.PasswordMinLength, MaxLength: cfg.PasswordMaxLength},
		Limits:    a.limits, Policy: policy(cfg), Now: a.opts.Now, Security: securityPolicy(cfg),
	})
	a.Factors = &identity.Factors{Core: a.Identity, Sealer: sealer, Policy: factorPolicy(cfg)}
	return nil
}

// openStore opens and migrates the database. A database whose stored
// e-mail addresses collide stops the start, naming the accounts and the
// command that resolves them, unless opts.Repair says an operator's
// command runs to resolve them.
func (a *App) openStore(ctx context.Context) (err error) {
	if !a.opts.Repair {
		if a.store, err = store.Open(ctx, a.Config.DatabaseURL); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		return nil
	}
	if a.store, a.Collisions, err = store.OpenRepair(ctx, a.Config.DatabaseURL); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	return nil
}

// limitMemory sets a soft memory limit of the hash pool's argon2id buffers
// plus 48 MiB, unless GOMEMLIMIT says otherwise. Each hash allocates its
// whole buffer (19 MiB by default) and drops it when done; with GOGC alone
// the heap could double before the collector ran, and under a flood of
// logins the peak RSS passed pool × memory + 100 MiB. Near the limit the
// collector runs sooner instead. The margin is a trade measured in
// BENCHMARKS.md (change 9): at +32 MiB the scavenger handed every freed
// buffer back to the kernel and each hash faulted 19 MiB in again (logins
// at 72 % of an unlimited heap); at +64 MiB logins ran as fast as unlimited
// but a flood peaked at 131–140 MiB against the 138 MiB bound; +48 MiB keeps
// logins at 89 % and the flood's peak at about 115 MiB.
func limitMemory(workers int, p password.Params) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(workers)*int64(p.Memory)*1024 + 48<<20)
}

func newSender(cfg config.Config, stderr io.Writer) (mail.Sender, error) {
	if cfg.SMTPURL == "" {
		return mail.NewLogSender(stderr), nil
	}
	return mail.NewSMTP(cfg.SMTPURL, mail.SMTPOptions{})
}

// newHealth is the health state of st: its ping runs in the background,
// its faults and writes (a *sqlstore.Store reports them) feed the state,
// and its probe lets a write fault clear without traffic.
func newHealth(st sqlstore.Backend, now func() time.Time, log *slog.Logger) *health.State {
	o := health.Options{Now: now, Log: log, Checks: []health.Check{{Name: "database", Run: st.Ping}}}
	sq, ok := st.(*sqlstore.Store)
	if ok {
		o.Probe = sq.Probe
		o.Checks = append(o.Checks, schemaCheck(sq))
	}
	h := health.New(o)
	if ok {
		sq.Watch(h)
	}
	return h
}

// Close releases the database (and Redis).
func (a *App) Close() error {
	if a.closeLimit != nil {
		_ = a.closeLimit()
	}
	return a.store.Close()
}
