package app

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/mail"
)

// The domains' policies, filled from the configuration: config.Default()
// is the one source of every default a setting has. The few tunables no
// setting exposes are written here, once.

func policy(cfg config.Config) identity.Policy {
	return identity.Policy{
		Issuer: cfg.Issuer(), PublicURL: cfg.Issuer(),
		AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, RefreshGrace: cfg.RefreshGrace,
		ConfirmTTL: cfg.ConfirmTTL, ResetTTL: cfg.ResetTTL, ResendInterval: cfg.MailResendInterval,
		RequireConfirmed: cfg.RequireConfirmed, ReauthMaxAge: cfg.ReauthMaxAge, RequestTimeout: cfg.RequestTimeout,
		Sources: cfg.SourceList(), Locales: mail.Locales(), PhoneRegion: cfg.PhoneRegionCode(),
	}
}

// securityPolicy is identity's lockout and audit policy.
func securityPolicy(cfg config.Config) identity.SecurityPolicy {
	return identity.SecurityPolicy{
		PairThreshold: cfg.LockoutPairThreshold, PairBackoff: cfg.LockoutPairBackoff, PairBackoffMax: cfg.LockoutPairBackoffMax,
		AccountThreshold: cfg.LockoutAccountThreshold, AccountLock: cfg.LockoutAccountDuration, Window: cfg.LockoutWindow,
		AuditRetention: cfg.AuditRetention, NewDeviceMail: cfg.NewDeviceMail,
	}
}

// factorPolicy is the account factors' policy: a code's tries and
// lifetime are the bank door's OTP settings, for an mfa_token as for a
// sent code.
func factorPolicy(cfg config.Config) identity.FactorPolicy {
	return identity.FactorPolicy{
		Issuer: "Gatehouse", Attempts: cfg.OTPAttempts, Window: 15 * time.Minute,
		RecoveryCodes: 10, ChallengeTTL: cfg.OTPTTL,
	}
}

// bankPolicy is the bank door's policy.
func bankPolicy(cfg config.Config) bank.Policy {
	return bank.Policy{
		Zone: cfg.Zone(), OTPTTL: cfg.OTPTTL, OTPAttempts: cfg.OTPAttempts,
		OTPResend: cfg.MailResendInterval, OTPMaxSends: 5, StepTTL: 30 * time.Minute,
		RequireProfile: cfg.BankRequireProfile,
		// A ciphertext can be replayed as long as some key decrypts it:
		// the key's lifetime plus the overlap in which a retired key still
		// decrypts (1 h, the enc ring's default), plus clock skew.
		CiphertextTTL: cfg.CredentialKeyLifetime + time.Hour + 5*time.Minute,
	}
}
