package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// SeedConfig says what Seed writes.
type SeedConfig struct {
	DatabaseURL     string
	From, Users     int    // users From … From+Users-1
	SessionsPerUser int    // each with one unused refresh token
	Domain          string // e-mails u<i>@Domain
	Password        string // every user's password
	BankProfiles    bool   // give each user a bank profile (a valid, unique IIN) for the bank door
	Batch           int    // users per transaction; default 1000
	Jobs            int    // concurrent transactions; default 1 (SQLite has one writer anyway)
	Progress        io.Writer
	Now             func() time.Time
}

// SeedStats reports what Seed did.
type SeedStats struct {
	Users, Sessions int
	Elapsed         time.Duration
}

// Seed writes confirmed users that all share one precomputed argon2id hash
// of cfg.Password (default parameters, so that logins cost what real ones
// do) and their sessions, straight through the store in batched
// transactions: the growth runs need a million users in minutes, which
// the HTTP API with one hash per sign-up could not give.
func Seed(ctx context.Context, cfg SeedConfig) (SeedStats, error) {
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	cfg.Jobs = max(cfg.Jobs, 1)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return SeedStats{}, fmt.Errorf("seed: %w", err)
	}
	defer st.Close()
	h, err := password.New(password.Options{Params: password.DefaultParams()})
	if err != nil {
		return SeedStats{}, err
	}
	hash, err := h.Hash(ctx, cfg.Password)
	if err != nil {
		return SeedStats{}, fmt.Errorf("seed: hash: %w", err)
	}
	start := time.Now()
	batches := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, cfg.Jobs)
	for range cfg.Jobs {
		wg.Go(func() {
			for first := range batches {
				n := min(cfg.Batch, cfg.From+cfg.Users-first)
				if err := seedBatch(ctx, st, cfg, hash, first, n); err != nil {
					errs <- err
					return
				}
				if d := done.Add(int64(n)); cfg.Progress != nil {
					fmt.Fprintf(cfg.Progress, "\rseeded %d/%d users (%.0f/s)   ", d, cfg.Users, float64(d)/time.Since(start).Seconds())
				}
			}
		})
	}
	err = feed(ctx, batches, errs, cfg)
	wg.Wait()
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	n := int(done.Load())
	return SeedStats{Users: n, Sessions: n * cfg.SessionsPerUser, Elapsed: time.Since(start)}, err
}

// feed hands out the first index of each batch until done or a job failed.
func feed(ctx context.Context, batches chan<- int, errs chan error, cfg SeedConfig) error {
	defer close(batches)
	for first := cfg.From; first < cfg.From+cfg.Users; first += cfg.Batch {
		select {
		case batches <- first:
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func seedBatch(ctx context.Context, st sqlstore.Backend, cfg SeedConfig, hash string, first, n int) error {
	now := cfg.Now().UTC()
	return st.Tx(ctx, func(tx sqlstore.Backend) error {
		for i := first; i < first+n; i++ {
			u := identity.User{
				Email: fmt.Sprintf("u%d@%s", i, cfg.Domain), EmailConfirmed: &now, PasswordHash: hash,
				Name: fmt.Sprintf("Seed %d", i), Locale: "en", Source: "license", CreatedAt: now, UpdatedAt: now,
			}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return fmt.Errorf("seed user %d: %w", i, err)
			}
			if cfg.BankProfiles {
				bp := bank.Profile{UserID: u.ID, IIN: seedIIN(i), UpdatedAt: now}
				if err := tx.PutBankProfile(ctx, &bp); err != nil {
					return fmt.Errorf("seed bank profile of user %d: %w", i, err)
				}
			}
			for range cfg.SessionsPerUser {
				if err := seedSession(ctx, tx, u, now); err != nil {
					return fmt.Errorf("seed session of user %d: %w", i, err)
				}
			}
		}
		return nil
	})
}

// UserAgent is the User-Agent of the tool's requests. Seeded sessions carry
// the device it makes with the loopback address, so that a seeded user
// signing in through the tool is a returning user on a known device — the
// common case — and no "new device" mail follows each login.
const UserAgent = "gatehouse-bench"

func seedSession(ctx context.Context, tx sqlstore.Backend, u identity.User, now time.Time) error {
	s := identity.Session{UserID: u.ID, Door: "platform", UserAgent: UserAgent, IP: "127.0.0.1",
		Device: identity.DeviceKey(UserAgent, "127.0.0.1"), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}
	if err := tx.CreateSession(ctx, &s); err != nil {
		return err
	}
	rt := identity.RefreshToken{Hash: core.HashSecret(core.NewSecret()), SessionID: s.ID, UserID: u.ID,
		IssuedAt: now, ExpiresAt: s.ExpiresAt}
	return tx.InsertRefreshToken(ctx, &rt)
}

// seedIIN returns a valid IIN (Kazakhstan's individual number: birth date,
// a century digit, a serial, a check digit) unique to user i: candidates
// 4i … 4i+3 are disjoint between users, and the first whose check digit
// exists is taken (about one prefix in eleven has none).
func seedIIN(i int) string {
	for j := range 4 {
		n := 4*i + j
		day := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/60000)
		prefix := fmt.Sprintf("%s%d%04d", day.Format("060102"), 1+(n/10000)%6, n%10000)
		for k := range 10 {
			if iin := prefix + strconv.Itoa(k); bank.ValidIIN(iin) {
				return iin
			}
		}
	}
	panic(fmt.Sprintf("bench: no valid IIN among the candidates of user %d", i)) // 1 in 11⁴: never seen
}
