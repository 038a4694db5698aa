package identity

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The sign-in of a door without a factor chain of its own (the platform
// login, the cashdesk authenticate) for an account with a second factor:
// the right password is answered with ErrMFARequired and an mfa_token
// instead of a session; a second call spends the token with a TOTP or
// recovery code and gets the door's normal answer. Until then the owner
// has not fully proven themselves, so the right password clears no
// failure counter, and every wrong code counts like a wrong password.

// SignIn checks a login and password (Service.Authenticate, with its
// lockout) and opens a session of spec, unless the account has a second
// factor: then it answers *MFARequired carrying a new mfa_token bound to
// the account, spec's door and client, and the current password, valid
// for Policy.ChallengeTTL and Policy.Attempts codes. Every answer to a
// wrong password is Authenticate's, so it tells nothing about factors.
func (f *Factors) SignIn(ctx context.Context, login, password string, spec SessionSpec) (p TokenPair, u User, err error) {
	defer f.Core.ObserveLogin(spec.Door, &err)
	defer core.Op(&err, "Factors.SignIn")
	if u, err = f.Core.Authenticate(ctx, login, password); err != nil {
		return TokenPair{}, User{}, err
	}
	p, err = f.AfterPassword(ctx, u, spec)
	return p, u, err
}

// AfterPassword is SignIn after its password check, for a door that
// authenticated u itself (the hosted pages' sign-in of an account without
// customers, bank.Service.StartChain): a session of spec, or *MFARequired
// when u has a second factor.
func (f *Factors) AfterPassword(ctx context.Context, u User, spec SessionSpec) (TokenPair, error) {
	names, err := f.Enrolled(ctx, u.ID)
	if err != nil {
		return TokenPair{}, err
	}
	if len(names) == 0 {
		return f.Core.StartSession(ctx, u, spec)
	}
	token, err := f.challenge(ctx, u, spec)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{}, &core.MFARequired{Token: token, Factors: names}
}

// challenge stores a new sign-in challenge of u for spec and audits it.
func (f *Factors) challenge(ctx context.Context, u User, spec SessionSpec) (string, error) {
	// Read again: Authenticate may have just upgraded the hash (rehash),
	// and the stamp must be of the hash the second call will find.
	cur, err := f.st().UserByID(ctx, u.ID)
	if err != nil {
		return "", err
	}
	token, now := core.NewSecret(), f.now()
	c := MFAChallenge{Hash: mfaHash(token), UserID: u.ID, Door: spec.Door, ClientID: spec.ClientID, Stamp: passwordStamp(cur),
		MaxAttempts: f.Policy.Attempts, CreatedAt: now, ExpiresAt: now.Add(f.Policy.ChallengeTTL)}
	return token, f.st().Tx(ctx, func(tx Store) error {
		if err := tx.InsertMFAChallenge(ctx, &c); err != nil {
			return err
		}
		return f.Core.Audit(ctx, tx, AuditEvent{Type: AuditMFARequired, UserID: u.ID, Subject: u.Email,
			Detail: map[string]string{"door": spec.Door}})
	})
}

// CompleteSignIn is the second call: it spends one attempt of the
// mfa_token, judges the code (a TOTP code or a recovery code, each single
// use) under the password's lockout, and on a pass marks the token used
// and opens the session of spec, all in one transaction.
// ErrMFATokenInvalid for an unknown, expired, used or exhausted token, one
// of another door or client, or one issued before the password changed;
// ErrOTPInvalid for a wrong code; ErrTooManyAttempts during a backoff.
func (f *Factors) CompleteSignIn(ctx context.Context, token, code string, spec SessionSpec) (p TokenPair, u User, err error) {
	defer f.Core.ObserveLogin(spec.Door, &err)
	defer core.Op(&err, "Factors.CompleteSignIn")
	c, u, err := f.pending(ctx, token, spec)
	if err != nil {
		return TokenPair{}, User{}, err
	}
	now := f.now()
	if len(spec.AMR) > 0 {
		spec.AMR = append(spec.AMR[:len(spec.AMR):len(spec.AMR)], amrOfFactor(factorOf(code)), "mfa")
	}
	var sess Session
	var refresh string
	try := func(tx Store) error {
		if _, err := tx.AttemptMFAChallenge(ctx, c.Hash, now); err != nil {
			if errors.Is(err, core.ErrNotFound) { // exhausted or used meanwhile
				return core.ErrMFATokenInvalid
			}
			return err
		}
		return f.Verify(ctx, tx, u, code)
	}
	pass := func(tx Store) (err error) {
		if err := tx.UseMFAChallenge(ctx, c.Hash, now); err != nil {
			if errors.Is(err, core.ErrNotFound) { // a concurrent call completed it
				return core.ErrMFATokenInvalid
			}
			return err
		}
		sess, refresh, err = f.Core.openSession(ctx, tx, u, spec)
		return err
	}
	if err := Judge(ctx, f, f.st().Tx, u, factorOf(code), try, pass); err != nil {
		return TokenPair{}, User{}, err
	}
	p, err = f.Core.sign(ctx, u, sess, refresh, spec.AccessTTL, spec.Extra)
	return p, u, err
}

// SecondFactorRequest checks the fields a second call sends beside its
// mfa_token: an otp, and no password (the token stands for it).
func SecondFactorRequest(password, otp string) error {
	if password != "" {
		return core.Invalid("unexpected_field", "password", "send the mfa_token with the otp, not the password")
	}
	if strings.TrimSpace(otp) == "" {
		return core.Invalid("missing_field", "otp", "otp is required with mfa_token")
	}
	return nil
}

// pending finds the live challenge of token for spec's door and client,
// and its user.
func (f *Factors) pending(ctx context.Context, token string, spec SessionSpec) (MFAChallenge, User, error) {
	if token == "" || len(token) > 128 {
		return MFAChallenge{}, User{}, core.ErrMFATokenInvalid
	}
	c, err := f.st().MFAChallengeByHash(ctx, mfaHash(token))
	if errors.Is(err, core.ErrNotFound) {
		return MFAChallenge{}, User{}, core.ErrMFATokenInvalid
	}
	if err != nil {
		return MFAChallenge{}, User{}, err
	}
	if !c.Live(f.now()) || c.Door != spec.Door || c.ClientID != spec.ClientID {
		return MFAChallenge{}, User{}, core.ErrMFATokenInvalid
	}
	u, err := f.st().UserByID(ctx, c.UserID)
	if errors.Is(err, core.ErrNotFound) {
		return MFAChallenge{}, User{}, core.ErrMFATokenInvalid
	}
	if err != nil {
		return MFAChallenge{}, User{}, err
	}
	if !bytes.Equal(c.Stamp, passwordStamp(u)) { // the password changed (or was reset) since
		return MFAChallenge{}, User{}, core.ErrMFATokenInvalid
	}
	if u.Locked() {
		return MFAChallenge{}, User{}, core.ErrAccountLocked
	}
	return c, u, nil
}

// mfaHash is how an mfa_token is stored; the prefix keeps it apart from
// every other secret's hash.
func mfaHash(token string) []byte { return core.HashSecret("mfa:" + token) }

// passwordStamp identifies the password a challenge followed: a new
// password (a change, a reset) gives a new stamp.
func passwordStamp(u User) []byte { return core.HashSecret("password:" + u.PasswordHash) }
