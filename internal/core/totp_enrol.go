package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPEnrolment is a new authenticator secret for the user to scan.
type TOTPEnrolment struct {
	Secret string // base32, for manual entry
	URL    string // otpauth://totp/… for a QR code
}

// BeginTOTP makes a new TOTP secret for the signed-in user, stored sealed
// and unconfirmed until ConfirmTOTP. ErrExists when the user already has a
// confirmed authenticator (RemoveTOTP first).
func (f *Factors) BeginTOTP(ctx context.Context, u User) (e TOTPEnrolment, err error) {
	defer Op(&err, "Factors.BeginTOTP")
	cur, err := f.st().TOTPOf(ctx, u.ID)
	if err == nil && cur.ConfirmedAt != nil {
		return TOTPEnrolment{}, ErrExists
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
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

// ConfirmTOTP checks a code of the pending secret, confirms it and returns
// new recovery codes (shown once; any earlier ones stop working).
func (f *Factors) ConfirmTOTP(ctx context.Context, u User, code string) (recovery []string, err error) {
	defer Op(&err, "Factors.ConfirmTOTP")
	t, err := f.st().TOTPOf(ctx, u.ID)
	if errors.Is(err, ErrNotFound) || (err == nil && t.ConfirmedAt != nil) {
		return nil, ErrWrongStep
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
		return nil, ErrOTPInvalid
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
		return f.Core.Audit(ctx, tx, AuditEvent{Type: AuditTOTPEnrolled, UserID: u.ID, Actor: UserActor(u.ID), Subject: u.Email})
	})
	return recovery, err
}

// RemoveTOTP drops the user's authenticator and recovery codes.
// ErrNotFound when there is none.
func (f *Factors) RemoveTOTP(ctx context.Context, u User) error {
	e := AuditEvent{Type: AuditTOTPRemoved, UserID: u.ID, Actor: UserActor(u.ID)}
	return f.Core.audited(ctx, e, func(tx Store) error { return tx.DeleteTOTP(ctx, u.ID) })
}
