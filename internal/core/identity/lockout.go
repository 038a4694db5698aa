package identity

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Progressive lockout (SECURITY.md "Lockout"). Failures are counted twice,
// keyed on the login string tried (whether or not an account has it, so
// the counters tell nothing about which accounts exist):
//
//   - per account and client IP ("pair:"): after PairThreshold failures,
//     that IP must wait before its next try for this login, PairBackoff
//     doubling per further failure up to PairBackoffMax. Attempts inside
//     the wait are refused before any hashing. The real user at another
//     address is not slowed at all.
//   - per account ("acct:"): every AccountThreshold failures from all IPs
//     together lock the login for AccountLock, doubling per lock up to a
//     day. During a lock only the correct password from an IP the user
//     has signed in from before gets in, so a distributed attacker cannot
//     keep the real user out; the user is mailed when the lock starts,
//     and a password reset or an admin unlock clears the counters.
//
// Counters idle for Window are forgotten.

// SecurityPolicy holds the lockout and audit settings; a zero threshold
// turns that counter off.
type SecurityPolicy struct {
	PairThreshold    int
	PairBackoff      time.Duration
	PairBackoffMax   time.Duration
	AccountThreshold int
	AccountLock      time.Duration
	Window           time.Duration
	AuditRetention   time.Duration
	NewDeviceMail    bool // mail the user on a sign-in from a device not seen before
}

// maxAccountLock caps the doubling of account locks.
const maxAccountLock = 24 * time.Hour

func tooManyAttempts(wait time.Duration) error {
	return core.ErrTooManyAttempts.WithRetry(max(wait, time.Second))
}

// The counters are keyed on the login's key (email.go), so that every
// spelling of one address, and the stored one, share them.
func pairKey(login, ip string) string { return "pair:" + LookupKey(login) + "|" + ip }
func acctKey(login string) string     { return "acct:" + LookupKey(login) }

// gate is the lockout state of one login from one IP before an attempt.
type gate struct {
	pair, acct Attempts
}

// readGate reads both counters of login from ip, in one read.
func (s *Service) readGate(ctx context.Context, login, ip string) (g gate, err error) {
	if login == "" { // no account has it; floods of garbage are the rate limits' business
		return g, nil
	}
	var keys []string
	if s.Security.PairThreshold > 0 {
		keys = append(keys, pairKey(login, ip))
	}
	if s.Security.AccountThreshold > 0 {
		keys = append(keys, acctKey(login))
	}
	if len(keys) == 0 {
		return g, nil
	}
	got, err := s.store.Attempts(ctx, keys...)
	if err != nil {
		return g, err
	}
	if s.Security.PairThreshold > 0 {
		g.pair, got = got[0], got[1:]
	}
	if s.Security.AccountThreshold > 0 {
		g.acct = got[0]
	}
	return g, nil
}

// pairWait is how long this IP must still wait before trying this login.
func (g gate) pairWait(now time.Time) time.Duration { return g.pair.LockedUntil.Sub(now) }

// acctWait is how long the account lock still lasts.
func (g gate) acctWait(now time.Time) time.Duration { return g.acct.LockedUntil.Sub(now) }

// countFailure applies one failure to a, reporting whether it started a
// backoff or lock. Pure, for UpdateAttempts.
func (p SecurityPolicy) countFailure(a *Attempts, now time.Time, pair bool) (started bool) {
	if p.Window > 0 && !a.LastAt.IsZero() && now.Sub(a.LastAt) > p.Window && !now.Before(a.LockedUntil) {
		*a = Attempts{Key: a.Key}
	}
	if !pair && now.Before(a.LockedUntil) {
		a.LastAt = now // an ongoing lock neither grows nor restarts
		return false
	}
	if a.Failures == 0 {
		a.FirstAt = now
	}
	a.Failures++
	a.LastAt = now
	if pair && a.Failures >= p.PairThreshold {
		wait := p.PairBackoff << min(max(a.Failures-p.PairThreshold, 0), 30)
		if p.PairBackoffMax > 0 && (wait > p.PairBackoffMax || wait <= 0) {
			wait = p.PairBackoffMax
		}
		a.LockedUntil = now.Add(wait)
		return a.Failures == p.PairThreshold
	}
	if !pair && a.Failures%p.AccountThreshold == 0 {
		wait := p.AccountLock << min(max(a.Failures/p.AccountThreshold-1, 0), 30)
		if wait > maxAccountLock || wait <= 0 {
			wait = maxAccountLock
		}
		a.LockedUntil = now.Add(wait)
		return true
	}
	return false
}

// recordFailure counts a failed attempt on login from the context's IP and
// writes its audit row (and those of a backoff or lock it starts) in one
// transaction; a lock of a real account queues the notice mail there too.
// u is the account when one has the login (ID 0 otherwise).
func (s *Service) recordFailure(ctx context.Context, login string, u User, typ string, detail map[string]string) error {
	return s.store.Tx(ctx, func(tx Store) error { return s.recordFailureTx(ctx, tx, login, u, typ, detail) })
}

// recordFailureTx is recordFailure inside the caller's transaction tx, so
// that a door's own attempt counter (a sent code's tries) changes with it.
func (s *Service) recordFailureTx(ctx context.Context, tx FactorTx, login string, u User, typ string, detail map[string]string) error {
	ip := core.CallerOf(ctx).IP
	now := s.now()
	p := s.Security
	if login == "" { // an undecryptable or empty login: audited, not counted (see readGate)
		p.PairThreshold, p.AccountThreshold = 0, 0
	}
	var pairStarted, acctStarted bool
	var acct Attempts
	if p.PairThreshold > 0 {
		if _, err := tx.UpdateAttempts(ctx, pairKey(login, ip), func(a *Attempts) error {
			pairStarted = p.countFailure(a, now, true)
			return nil
		}); err != nil {
			return err
		}
	}
	if p.AccountThreshold > 0 {
		var err error
		if acct, err = tx.UpdateAttempts(ctx, acctKey(login), func(a *Attempts) error {
			acctStarted = p.countFailure(a, now, false)
			return nil
		}); err != nil {
			return err
		}
	}
	if err := s.Audit(ctx, tx, AuditEvent{Type: typ, Outcome: AuditFailed, UserID: u.ID, Subject: login, Detail: detail}); err != nil {
		return err
	}
	if pairStarted {
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditLockoutPair, Outcome: AuditRefused, UserID: u.ID, Subject: login,
			Detail: map[string]string{"failures": strconv.Itoa(p.PairThreshold)}}); err != nil {
			return err
		}
	}
	if !acctStarted {
		return nil
	}
	return s.accountLocked(ctx, tx, login, u, acct)
}

// accountLocked records a new account lock and tells the user by mail.
func (s *Service) accountLocked(ctx context.Context, tx FactorTx, login string, u User, a Attempts) error {
	until := a.LockedUntil.UTC().Format("2006-01-02 15:04 UTC")
	if err := s.Audit(ctx, tx, AuditEvent{Type: AuditLockoutAccount, Outcome: AuditRefused, UserID: u.ID, Subject: login,
		Detail: map[string]string{"failures": strconv.Itoa(a.Failures), "until": a.LockedUntil.UTC().Format(time.RFC3339)}}); err != nil {
		return err
	}
	if u.ID == 0 {
		return nil
	}
	return s.Mail.Queue(ctx, tx, u.Email, "account_locked", u.Locale, map[string]string{"until": until, "email": u.Email, "name": u.Name})
}

// clearLockout forgets the counters of login (the account's, and the pair
// of the context's IP): a password reset proves the mailbox, an admin
// unlock is an operator's word.
func (s *Service) clearLockout(ctx context.Context, tx Store, u User) error {
	if err := tx.ClearAttempts(ctx, acctKey(u.Email), pairKey(u.Email, core.CallerOf(ctx).IP)); err != nil {
		return err
	}
	return s.Audit(ctx, tx, AuditEvent{Type: AuditLockoutCleared, UserID: u.ID, Subject: u.Email})
}

// knownNetwork reports whether the user has had a session from ip's
// network (see network) before: the device the lock must not shut out.
func (s *Service) knownNetwork(ctx context.Context, userID int64, ip string) (bool, error) {
	all, err := s.store.SessionsOf(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, x := range all {
		if ip != "" && network(x.IP) == network(ip) {
			return true, nil
		}
	}
	return false, nil
}

// network is the /24 of an IPv4 address or the /48 of an IPv6 address:
// addresses of one home or office, which change within it.
func network(ip string) string {
	p := net.ParseIP(ip)
	if p == nil {
		return ip
	}
	if v4 := p.To4(); v4 != nil {
		return v4.Mask(net.CIDRMask(24, 32)).String()
	}
	return p.Mask(net.CIDRMask(48, 128)).String()
}

// judgeAttempt applies the lockout to a judged password: ok is the
// hasher's verdict. It returns nil to let the login proceed, otherwise the
// answer to give (ErrInvalidCredentials, or ErrTooManyAttempts during an
// account lock, whatever the password, unless it is right and comes from
// a network the user signed in from before). A failure is recorded as an
// event of type failType (a login's, a re-entry's).
func (s *Service) judgeAttempt(ctx context.Context, login string, u User, ok bool, g gate, failType string) error {
	ok = ok && u.ID != 0
	wait := g.acctWait(s.now())
	if wait > 0 && ok {
		known, err := s.knownNetwork(ctx, u.ID, core.CallerOf(ctx).IP)
		if err != nil || known {
			return err
		}
		return s.throttled(ctx, login, u, wait, "account locked, unknown network")
	}
	if !ok {
		reason := "bad_password"
		if u.ID == 0 {
			reason = "unknown_login"
		}
		if err := s.recordFailure(ctx, login, u, failType, map[string]string{"reason": reason}); err != nil {
			return err
		}
		if wait > 0 {
			return tooManyAttempts(wait)
		}
		return core.ErrInvalidCredentials
	}
	return nil
}

// throttled records an attempt refused by the lockout and returns the
// refusal.
func (s *Service) throttled(ctx context.Context, login string, u User, wait time.Duration, why string) error {
	err := s.Audit(ctx, s.store, AuditEvent{Type: AuditLoginThrottled, Outcome: AuditRefused, UserID: u.ID, Subject: login,
		Detail: map[string]string{"reason": why, "retry_after": wait.Round(time.Second).String()}})
	if err != nil {
		return err
	}
	return tooManyAttempts(wait)
}

// CheckFactorAttempt refuses a factor code (OTP) attempt during a backoff
// or lock of the user's login, before the code is judged: codes are
// guessed like passwords, so they share the password's counters.
func (s *Service) CheckFactorAttempt(ctx context.Context, u User) error {
	g, err := s.readGate(ctx, u.Email, core.CallerOf(ctx).IP)
	if err != nil {
		return err
	}
	now := s.now()
	if wait := max(g.pairWait(now), g.acctWait(now)); wait > 0 {
		return s.throttled(ctx, u.Email, u, wait, "factor attempt during lockout")
	}
	return nil
}

// recordFactorAttempt audits a judged factor code inside tx, the
// transaction that spent the code's try, so that the try, the lockout
// counters and the audit row commit or vanish together: a failure also
// counts toward the lockout, a pass is recorded as factor.passed.
func (s *Service) recordFactorAttempt(ctx context.Context, tx FactorTx, u User, factor string, ok bool) error {
	ctx = core.WithActor(ctx, UserActor(u.ID)) // the holder of the user's step token
	detail := map[string]string{"factor": factor}
	if !ok {
		return s.recordFailureTx(ctx, tx, u.Email, u, AuditFactorFailed, detail)
	}
	return s.Audit(ctx, tx, AuditEvent{Type: AuditFactorPassed, UserID: u.ID, Subject: u.Email, Detail: detail})
}
