// Package server wires Gatehouse together: it builds the store, keys,
// hasher, mail and core from the configuration, mounts every door on one
// mux, and runs the HTTP server and the background jobs. All wiring is in
// this one readable place; no door builds its own dependencies.
package server

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
	_ "time/tzdata" // the cashdesk (and bank) zones load on hosts without zoneinfo

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/idempotency"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/mail"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/sms"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Options are the seams tests use; production leaves them zero.
type Options struct {
	Now     func() time.Time                        // default time.Now
	Hasher  core.PasswordHasher                     // default argon2id with DESIGN.md's parameters
	Sender  mail.Sender                             // default from GATEHOUSE_SMTP_URL
	KeyGen  func(alg string) (crypto.Signer, error) // default crypto/rand generation
	Stderr  io.Writer                               // where dev mail and the first admin token go; default os.Stderr
	SMS     sms.Sender                              // bank door OTP_SMS; default from GATEHOUSE_SMS_URL
	Version string
	Commit  string
	// HashWorker is the command line of `gatehouse hash-worker`, in which
	// argon2id runs at a lower priority when GATEHOUSE_HASH_NICE is set;
	// nil hashes in this process (hashing.go).
	HashWorker []string
	// WrapStore, when set, wraps the opened store (tests inject faults).
	WrapStore func(core.Store) core.Store
	// Repair opens a database whose stored e-mail addresses collide (the
	// CLI's repair commands); Server.Collisions names them. Without it
	// such a database stops the start (SECURITY.md "E-mail identity").
	Repair bool
}

// Server is a wired Gatehouse.
type Server struct {
	Config  config.Config
	Log     *slog.Logger
	Store   core.Store
	Core    *core.Service
	Signing *keys.Ring
	Outbox  *mail.Outbox
	Sender  mail.Sender
	// SMSOutbox and SMSSender deliver OTP_SMS codes; nil without an SMS
	// gateway (GATEHOUSE_SMS_URL empty).
	SMSOutbox *sms.Outbox
	SMSSender sms.Sender
	// Credential is the bank door's credential-encryption key ring (use enc).
	Credential *keys.Ring
	Bank       *core.Bank
	// Factors are the account's TOTP and recovery codes, on every door.
	Factors *core.Factors
	// Collisions, with Options.Repair, are the accounts whose stored
	// e-mail addresses share a key; nil when there are none.
	Collisions *migrations.CollisionError
	// Health is what /status reports: refreshed in the background, fed by
	// the store's faults, turned to "stopping" by shutdown.
	Health *health.State
	// Replies keeps the replies of requests made with an Idempotency-Key.
	Replies *idempotency.Keeper

	opts           Options
	closeLimit     func() error
	closeHasher    func()
	handler        http.Handler
	adminTokenHash []byte // SHA-256 of the admin API token; nil: admin users only
	now            func() time.Time
}

// New builds a server from cfg, ready to serve. The caller owns Close.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*Server, error) {
	s, err := Build(ctx, cfg, log, opts)
	if err != nil {
		return nil, err
	}
	if s.adminTokenHash, err = s.adminToken(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.SMSOutbox == nil {
		log.Warn("no SMS gateway (GATEHOUSE_SMS_URL is empty): OTP_SMS is offered in no factor chain, and a bank role whose every chain needs it cannot be signed in to; set GATEHOUSE_SMS_URL (log: during development)")
	}
	s.handler = s.routes()
	return s, nil
}

// Build wires the core and its dependencies without the HTTP surface (the
// CLI's operations use it). The caller owns Close.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (_ *Server, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	s := &Server{Config: cfg, Log: log, opts: opts, now: opts.Now}
	if err := s.openStore(ctx); err != nil {
		return nil, err
	}
	s.Health = newHealth(s.Store, opts.Now, log)
	if opts.WrapStore != nil {
		s.Store = opts.WrapStore(s.Store)
	}
	defer func() {
		if err != nil {
			s.Store.Close()
		}
	}()
	master, err := keys.LoadMasterKey(cfg.MasterKey, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	sealer, err := keys.NewSealer(master)
	if err != nil {
		return nil, err
	}
	s.Signing = keys.NewRing(s.Store, sealer, keys.RingOptions{
		Use: "sig", Alg: cfg.SigningAlg, TokenTTL: cfg.LongestTokenTTL(), Now: opts.Now, Generate: opts.KeyGen,
	})
	if err := s.Signing.Ensure(ctx); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	if s.Sender = opts.Sender; s.Sender == nil {
		if s.Sender, err = newSender(cfg, opts.Stderr); err != nil {
			return nil, err
		}
	}
	s.Replies = &idempotency.Keeper{Store: s.Store, Sealer: sealer, Now: opts.Now}
	s.Outbox = mail.NewOutbox(sealer, cfg.MailFrom, opts.Now)
	s.Outbox.Log = log
	hasher, err := s.hasher(cfg)
	if err != nil {
		return nil, err
	}
	limits, closeLimit, err := newLimiter(cfg, log, opts.Now)
	if err != nil {
		return nil, err
	}
	s.closeLimit = closeLimit
	s.Core = &core.Service{
		Store: s.Store, Hasher: hasher, Tokens: s.Signing, Sealer: sealer, Mail: s.Outbox,
		Passwords: password.Policy{MinLength: cfg.PasswordMinLength, MaxLength: cfg.PasswordMaxLength},
		Limits:    limits, Policy: policy(cfg), Now: opts.Now, Security: securityPolicy(cfg),
	}
	s.Factors = &core.Factors{Core: s.Core, Sealer: sealer, Policy: factorPolicy(cfg)}
	if err := s.buildBank(ctx, cfg, sealer); err != nil {
		return nil, err
	}
	return s, nil
}

// openStore opens and migrates the database. A database whose stored
// e-mail addresses collide stops the start, naming the accounts and the
// command that resolves them, unless opts.Repair says an operator's
// command runs to resolve them.
func (s *Server) openStore(ctx context.Context) (err error) {
	if !s.opts.Repair {
		if s.Store, err = store.Open(ctx, s.Config.DatabaseURL); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		return nil
	}
	if s.Store, s.Collisions, err = store.OpenRepair(ctx, s.Config.DatabaseURL); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	return nil
}

func newSender(cfg config.Config, stderr io.Writer) (mail.Sender, error) {
	if cfg.SMTPURL == "" {
		return mail.NewLogSender(stderr), nil
	}
	return mail.NewSMTP(cfg.SMTPURL, mail.SMTPOptions{})
}

func policy(cfg config.Config) core.Policy {
	p := core.DefaultPolicy()
	p.Issuer = cfg.Issuer()
	p.PublicURL = cfg.Issuer()
	p.AccessTTL, p.RefreshTTL = cfg.AccessTTL, cfg.RefreshTTL
	p.RefreshGrace = cfg.RefreshGrace
	p.ConfirmTTL, p.ResetTTL = cfg.ConfirmTTL, cfg.ResetTTL
	p.ResendInterval = cfg.MailResendInterval
	p.RequireConfirmed = cfg.RequireConfirmed
	p.ReauthMaxAge = cfg.ReauthMaxAge
	p.Sources = cfg.SourceList()
	p.PhoneRegion = cfg.PhoneRegionCode()
	return p
}

// factorPolicy is the account factors' policy from cfg: a code's tries and
// lifetime are the bank door's OTP settings, for an mfa_token as for a
// sent code.
func factorPolicy(cfg config.Config) core.FactorPolicy {
	p := core.DefaultFactorPolicy()
	p.Attempts, p.ChallengeTTL = cfg.OTPAttempts, cfg.OTPTTL
	return p
}

// newHealth is the health state of st: its ping runs in the background,
// its faults and writes (a *sqlstore.Store reports them) feed the state,
// and its probe lets a write fault clear without traffic.
func newHealth(st core.Store, now func() time.Time, log *slog.Logger) *health.State {
	o := health.Options{Now: now, Log: log, Checks: []health.Check{{Name: "database", Run: st.Ping}}}
	sq, ok := st.(*sqlstore.Store)
	if ok {
		o.Probe = sq.Probe
	}
	h := health.New(o)
	if ok {
		sq.Watch(h)
	}
	return h
}

// Handler is the whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// Start runs the background jobs (mail and SMS delivery, key rotation,
// purge, the health check) until ctx ends; the channel closes when all have
// returned.
func (s *Server) Start(ctx context.Context) <-chan struct{} {
	var wg sync.WaitGroup
	jobs := []func(context.Context){
		func(ctx context.Context) { s.Outbox.Run(ctx, s.Store, s.Sender) },
		s.maintain,
		func(ctx context.Context) { s.Health.Run(ctx, time.Second) },
	}
	if s.SMSOutbox != nil {
		jobs = append(jobs, func(ctx context.Context) { s.SMSOutbox.Run(ctx, s.Store, s.SMSSender) })
	}
	for _, job := range jobs {
		wg.Add(1)
		go func() { defer wg.Done(); job(ctx) }()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

// maintain keeps the signing ring rotating (the next key must be published
// well before it signs, so Ensure runs far more often than the lead time)
// and purges expired rows.
func (s *Server) maintain(ctx context.Context) {
	keysTick := time.NewTicker(time.Minute)
	purgeTick := time.NewTicker(10 * time.Minute)
	defer keysTick.Stop()
	defer purgeTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-keysTick.C:
			if err := s.Signing.Ensure(ctx); err != nil {
				s.Log.Warn("key rotation check failed", "err", err)
			}
			if err := s.Credential.Ensure(ctx); err != nil {
				s.Log.Warn("credential key rotation check failed", "err", err)
			}
		case <-purgeTick.C:
			if err := s.Store.Purge(ctx, s.now()); err != nil {
				s.Log.Warn("purge failed", "err", err)
			}
			if err := s.Core.ForgetSuccessors(ctx); err != nil {
				s.Log.Warn("purge of sealed refresh successors failed", "err", err)
			}
			if err := s.Core.PurgeAudit(ctx); err != nil {
				s.Log.Warn("audit purge failed", "err", err)
			}
			if err := s.Store.PurgeBank(ctx, s.now()); err != nil {
				s.Log.Warn("bank purge failed", "err", err)
			}
		}
	}
}

// Close releases the database (and Redis).
func (s *Server) Close() error {
	if s.closeLimit != nil {
		_ = s.closeLimit()
	}
	if s.closeHasher != nil {
		s.closeHasher()
	}
	return s.Store.Close()
}
