package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/core"
)

// TOTPEnrolment is a new authenticator secret for the user to scan.
type TOTPEnrolment struct {
	Secret string // base32, for manual entry
	URL    string // otpauth://totp/… for a QR code
}

// FactorStatus is what an account has enrolled, for its owner.
type FactorStatus struct {
	Factors           []string // Enrolled
	RecoveryCodesLeft int
}

// TOTPConfirmed reports whether the user has a confirmed authenticator app.
func (f *Factors) TOTPConfirmed(ctx context.Context, userID int64) (bool, error) {
	t, err := f.st().TOTPOf(ctx, userID)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil && t.ConfirmedAt != nil, err
}

// Status reports the user's factors.
func (f *Factors) Status(ctx context.Context, userID int64) (s FactorStatus, err error) {
	if s.Factors, err = f.Enrolled(ctx, userID); err != nil || len(s.Factors) == 0 {
		return s, err
	}
	s.RecoveryCodesLeft, err = f.st().RecoveryCodesLeft(ctx, userID)
	return s, err
}

// BeginTOTP makes a new TOTP secret for the signed-in user of p, who
// re-enters the current password (Service.Reauthenticate: the login's
// lockout, its errors), stored sealed and unconfirmed until ConfirmTOTP.
// ErrExists when the user already has a confirmed authenticator
// (RemoveTOTP first); ErrSessionRequired for an API key.
func (f *Factors) BeginTOTP(ctx context.Context, p Principal, password string) (e TOTPEnrolment, err error) {
	defer core.Op(&err, "Factors.BeginTOTP")
	if p.ViaAPIKey() {
		return TOTPEnrolment{}, core.ErrSessionRequired
	}
	if err := f.Core.Reauthenticate(ctx, p.User, password); err != nil {
		return TOTPEnrolment{}, err
	}
	return f.newTOTP(ctx, p.User)
}

// BeginRequiredTOTP is BeginTOTP without the password, for a sign-in
// whose password step has just passed and whose policy requires an
// authenticator the account lacks (the required action of a bank role,
// bank.Service.BeginRequiredTOTP, which alone decides that). ErrExists as
// BeginTOTP.
func (f *Factors) BeginRequiredTOTP(ctx context.Context, u User) (e TOTPEnrolment, err error) {
	defer core.Op(&err, "Factors.BeginRequiredTOTP")
	return f.newTOTP(ctx, u)
}

// PendingTOTPMatches reports whether code is a current code of u's
// unconfirmed authenticator; ErrWrongStep when none is pending. It spends
// nothing: ConfirmTOTP does.
func (f *Factors) PendingTOTPMatches(ctx context.Context, u User, code string) (bool, error) {
	t, err := f.st().TOTPOf(ctx, u.ID)
	if errors.Is(err, core.ErrNotFound) || (err == nil && t.ConfirmedAt != nil) {
		return false, core.ErrWrongStep
	}
	if err != nil {
		return false, err
	}
	secret, err := f.Sealer.Open(t.Sealed)
	if err != nil {
		return false, fmt.Errorf("open totp secret: %w", err)
	}
	_, ok := matchTOTP(string(secret), strings.TrimSpace(code), f.now())
	return ok, nil
}

// newTOTP makes and stores u's new unconfirmed secret.
func (f *Factors) newTOTP(ctx context.Context, u User) (TOTPEnrolment, error) {
	cur, err := f.st().TOTPOf(ctx, u.ID)
	if err == nil && cur.ConfirmedAt != nil {
		return TOTPEnrolment{}, core.ErrExists
	}
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return TOTPEnrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: f.Policy.Issuer, AccountName: u.Email,
		Period: 30, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("generate totp: %w", err)
	}
	sealed, err := f.Sealer.Seal([]byte(key.Secret()))
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if err := f.st().PutTOTP(ctx, &TOTPSecret{UserID: u.ID, Sealed: sealed, CreatedAt: f.now()}); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP checks a code of the pending secret (whose maker gave the
// password), confirms it and returns new recovery codes (shown once; any
// earlier ones stop working); the owner is mailed. ErrWrongStep when no
// enrolment is pending.
func (f *Factors) ConfirmTOTP(ctx context.Context, p Principal, code string) (recovery []string, err error) {
	defer core.Op(&err, "Factors.ConfirmTOTP")
	if p.ViaAPIKey() {
		return nil, core.ErrSessionRequired
	}
	u := p.User
	t, err := f.st().TOTPOf(ctx, u.ID)
	if errors.Is(err, core.ErrNotFound) || (err == nil && t.ConfirmedAt != nil) {
		return nil, core.ErrWrongStep
	}
	if err != nil {
		return nil, err
	}
	secret, err := f.Sealer.Open(t.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open totp secret: %w", err)
	}
	step, ok := matchTOTP(string(secret), strings.TrimSpace(code), f.now())
	if !ok {
		return nil, core.ErrOTPInvalid
	}
	now := f.now()
	hashes := make([][]byte, f.Policy.RecoveryCodes)
	recovery = make([]string, f.Policy.RecoveryCodes)
	for i := range recovery {
		recovery[i] = newRecoveryCode()
		hashes[i] = recoveryHash(u.ID, recovery[i])
	}
	err = f.st().Tx(ctx, func(tx Store) error {
		if err := tx.ConfirmTOTP(ctx, u.ID, now); err != nil {
			return err
		}
		if _, err := tx.UseTOTPStep(ctx, u.ID, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes, now); err != nil {
			return err
		}
		if err := f.Core.Audit(ctx, tx, AuditEvent{Type: AuditTOTPEnrolled, UserID: u.ID, Actor: UserActor(u.ID), Subject: u.Email}); err != nil {
			return err
		}
		return f.notify(ctx, tx, u, "totp_enrolled", now)
	})
	return recovery, err
}

// RemoveTOTP drops the user's authenticator and recovery codes, once the
// current password is re-entered (as BeginTOTP), and mails the owner.
// ErrNotFound when there is none.
func (f *Factors) RemoveTOTP(ctx context.Context, p Principal, password string) (err error) {
	defer core.Op(&err, "Factors.RemoveTOTP")
	if p.ViaAPIKey() {
		return core.ErrSessionRequired
	}
	u := p.User
	if err := f.Core.Reauthenticate(ctx, u, password); err != nil {
		return err
	}
	e := AuditEvent{Type: AuditTOTPRemoved, UserID: u.ID, Actor: UserActor(u.ID), Subject: u.Email}
	return f.Core.audited(ctx, e, func(tx Store) error {
		if err := tx.DeleteTOTP(ctx, u.ID); err != nil {
			return err
		}
		return f.notify(ctx, tx, u, "totp_removed", f.now())
	})
}

// AdminRemoveTOTP drops the authenticator and recovery codes of a user who
// lost them, on an operator's word (the admin API, the CLI: the actor is
// the context's); the owner is mailed. ErrNotFound when there is none.
func (f *Factors) AdminRemoveTOTP(ctx context.Context, u User) error {
	e := AuditEvent{Type: AuditTOTPRemoved, UserID: u.ID, Subject: u.Email, Detail: map[string]string{"by": "operator"}}
	return f.Core.audited(ctx, e, func(tx Store) error {
		if err := tx.DeleteTOTP(ctx, u.ID); err != nil {
			return err
		}
		return f.notify(ctx, tx, u, "totp_removed", f.now())
	})
}

// notify queues, in tx, the owner's notice of a factor change: where from
// and when, so that a change the owner did not make stands out.
func (f *Factors) notify(ctx context.Context, tx Store, u User, kind string, at time.Time) error {
	ip := core.CallerOf(ctx).IP
	if ip == "" {
		ip = "unknown"
	}
	return f.Core.Mail.Queue(ctx, tx, u.Email, kind, u.Locale, map[string]string{
		"ip": ip, "time": at.UTC().Format(time.RFC1123), "email": u.Email, "name": u.Name,
	})
}
