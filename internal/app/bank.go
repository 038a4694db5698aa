package app

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/sms"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// buildBank wires the bank domain: the credential key ring, the SMS
// outbox, bank.Service, and the default public client WEB.
func (a *App) buildBank(ctx context.Context, cfg config.Config, sealer core.Sealer) error {
	a.Credential = keys.NewRing(a.store, sealer, a.ringOptions(keys.RingOptions{
		Use: "enc", Alg: keys.AlgRSAOAEP256, Lifetime: cfg.CredentialKeyLifetime,
	}))
	if err := a.Credential.Ensure(ctx); err != nil {
		return fmt.Errorf("credential keys: %w", err)
	}
	queue, err := a.buildSMS(cfg, sealer)
	if err != nil {
		return err
	}
	// The bank's refresh tokens are JWTs under one HMAC key that every node
	// shares through the store (docs/bank.md "Refresh").
	hmacKey, err := keys.LoadSecret(ctx, a.store, sealer, keys.RefreshSecretName, a.opts.Now())
	if err != nil {
		return fmt.Errorf("bank refresh-token key: %w", err)
	}
	refresh, err := keys.NewRefreshJWT(hmacKey, cfg.Issuer())
	if err != nil {
		return err
	}
	a.Bank = bank.New(sqlstore.Bank(a.store), bank.Service{
		Identity: a.Identity, Factors: a.Factors, SMS: queue, Policy: bankPolicy(cfg),
		Credentials: a.Credential.Decrypters, ReloadKeys: a.Credential.Reload, Paddings: cfg.Paddings(), Limit: a.RateLimits(),
		RefreshTokens: refresh, IDTokenAlgs: a.IDTokenAlgs(),
	})
	if err := a.Bank.EnsureDefaultClient(ctx); err != nil {
		return fmt.Errorf("default client: %w", err)
	}
	return nil
}

// buildSMS wires the sender GATEHOUSE_SMS_URL names (or the test's) and
// the outbox that feeds it. Without a sender it returns a nil queue: the
// bank door then offers no OTP_SMS.
func (a *App) buildSMS(cfg config.Config, sealer core.Sealer) (bank.SMSQueue, error) {
	sender := a.opts.SMS
	if sender == nil {
		var err error
		if sender, err = sms.FromURL(cfg.SMSURL, cfg.SMSToken, sms.Options{Stderr: a.opts.Stderr, Now: a.opts.Now, JSON: cfg.LogFormat == "json"}); err != nil {
			return nil, err
		}
	}
	if sender == nil {
		return nil, nil
	}
	a.SMSSender = sender
	a.SMSOutbox = sms.NewOutbox(sealer, a.opts.Now)
	a.SMSOutbox.Log = a.Log
	return a.SMSOutbox, nil
}
