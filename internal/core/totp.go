package core

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPEnrolment is a new authenticator secret for the user to scan.
type TOTPEnrolment struct {
	Secret string // base32, for manual entry
	URL    string // otpauth://totp/… for a QR code
}

// BeginTOTP makes a new TOTP secret for the user of a complete session,
// stored sealed and unconfirmed until ConfirmTOTP. ErrExists when the user
// already has a confirmed authenticator (RemoveTOTP first).
func (b *Bank) BeginTOTP(ctx context.Context, p Principal) (e TOTPEnrolment, err error) {
	defer Op(&err, "Bank.BeginTOTP")
	cur, err := b.st().TOTPOf(ctx, p.User.ID)
	if err == nil && cur.ConfirmedAt != nil {
		return TOTPEnrolment{}, ErrExists
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return TOTPEnrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: b.Policy.TOTPIssuer, AccountName: p.User.Email,
		Period: 30, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("generate totp: %w", err)
	}
	sealed, err := b.Sealer.Seal([]byte(key.Secret()))
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if err := b.st().PutTOTP(ctx, &TOTPSecret{UserID: p.User.ID, Sealed: sealed, CreatedAt: b.now()}); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP checks a code of the pending secret, confirms it and returns
// new recovery codes (shown once; any earlier ones stop working).
func (b *Bank) ConfirmTOTP(ctx context.Context, p Principal, code string) (recovery []string, err error) {
	defer Op(&err, "Bank.ConfirmTOTP")
	t, err := b.st().TOTPOf(ctx, p.User.ID)
	if errors.Is(err, ErrNotFound) || (err == nil && t.ConfirmedAt != nil) {
		return nil, ErrWrongStep
	}
	if err != nil {
		return nil, err
	}
	secret, err := b.Sealer.Open(t.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open totp secret: %w", err)
	}
	step, ok := matchTOTP(string(secret), strings.TrimSpace(code), b.now())
	if !ok {
		return nil, ErrOTPInvalid
	}
	now := b.now()
	hashes := make([][]byte, b.Policy.RecoveryCodes)
	recovery = make([]string, b.Policy.RecoveryCodes)
	for i := range recovery {
		recovery[i] = newRecoveryCode()
		hashes[i] = recoveryHash(p.User.ID, recovery[i])
	}
	err = b.st().Tx(ctx, func(tx Store) error {
		if err := tx.ConfirmTOTP(ctx, p.User.ID, now); err != nil {
			return err
		}
		if _, err := tx.UseTOTPStep(ctx, p.User.ID, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, p.User.ID, hashes, now); err != nil {
			return err
		}
		return b.Core.Audit(ctx, tx, AuditEvent{Type: AuditTOTPEnrolled, UserID: p.User.ID, Actor: UserActor(p.User.ID), Subject: p.User.Email})
	})
	return recovery, err
}

// RemoveTOTP drops the user's authenticator and recovery codes.
func (b *Bank) RemoveTOTP(ctx context.Context, userID int64) error {
	e := AuditEvent{Type: AuditTOTPRemoved, UserID: userID, Actor: UserActor(userID)}
	return b.Core.audited(ctx, e, func(tx Store) error { return tx.DeleteTOTP(ctx, userID) })
}

// A recovery code is 10 base32 characters (50 bits) shown as xxxxx-xxxxx.
// Its hash (SHA-256, bound to the user) suffices: together with the
// per-user attempt limit, 50 bits cannot be guessed online, and a code is
// single use.
func newRecoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}

func isRecoveryCode(code string) bool {
	return len(strings.ReplaceAll(code, "-", "")) == 10 && strings.ContainsAny(strings.ToLower(code), "abcdefghijklmnopqrstuvwxyz")
}

func recoveryHash(userID int64, code string) []byte {
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	return HashSecret("recovery:" + strconv.FormatInt(userID, 10) + ":" + norm)
}
