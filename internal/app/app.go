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
	"time"
	_ "time/tzdata" // the cashdesk and bank zones load on hosts without zoneinfo

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
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
	// HashWorker is the command line of `gatehouse hash-worker`, in which
	// argon2id runs at a lower priority when GATEHOUSE_HASH_NICE is set;
	// nil hashes in this process (hashing.go).
	HashWorker []string
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
	// OAuth is the standard OAuth 2 / OpenID Connect door's domain.
	OAuth   *oauth.Service
	Signing *keys.Ring
	// IDTokens is the RS256 ring of id_tokens (keys.IDTokenRing) when
	// GATEHOUSE_SIGNING_ALG is not RS256; Signing itself when it is.
	IDTokens *keys.Ring
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

	opts        Options
	store       sqlstore.Backend
	raw         *sqlstore.Store // the store as opened, before Options.WrapStore; nil for other stores
	limits      identity.Limiter
	closeLimit  func() error
	closeHasher func()
}

// New wires Gatehouse from cfg. The caller owns Close.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (_ *App, err error) {
	if err := Check(cfg); err != nil {
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
	a.buildOAuth()
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
	if err := a.buildIDTokenRing(ctx, sealer); err != nil {
		return nil, err
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
	hasher, err := a.hasher()
	if err != nil {
		return err
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

func newSender(cfg config.Config, stderr io.Writer) (mail.Sender, error) {
	if cfg.SMTPURL == "" && cfg.LogFormat == "json" {
		return mail.NewJSONLogSender(stderr), nil // one record, so that the log's parser survives
	}
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
	if a.closeHasher != nil {
		a.closeHasher()
	}
	return a.store.Close()
}
