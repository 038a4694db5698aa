package server

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // the bank door's zone (Asia/Almaty) must load on every machine

	"github.com/gatehouse/gatehouse/internal/store/sqlstore"

	"github.com/gatehouse/gatehouse/internal/core/bank"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/sms"
)

// buildBank wires the bank door's part of the core: the credential key
// ring, the default public client WEB and bank.Service.
func (s *Server) buildBank(ctx context.Context, cfg config.Config, sealer core.Sealer) error {
	s.Credential = keys.NewRing(s.Store, sealer, keys.RingOptions{
		Use: "enc", Alg: keys.AlgRSAOAEP256, Lifetime: cfg.CredentialKeyLifetime, Now: s.opts.Now, Generate: s.opts.KeyGen,
	})
	if err := s.Credential.Ensure(ctx); err != nil {
		return fmt.Errorf("credential keys: %w", err)
	}
	queue, err := s.buildSMS(cfg, sealer)
	if err != nil {
		return err
	}
	p := bank.DefaultPolicy()
	p.Zone = cfg.Zone()
	p.OTPAttempts, p.OTPTTL = cfg.OTPAttempts, cfg.OTPTTL
	p.OTPResend = cfg.MailResendInterval
	// A ciphertext can be replayed as long as some key decrypts it: the
	// key's lifetime plus the overlap in which a retired key still
	// decrypts (1 h, the enc ring's default), plus clock skew.
	p.CiphertextTTL = cfg.CredentialKeyLifetime + time.Hour + 5*time.Minute
	s.Bank = bank.New(sqlstore.Bank(s.Store), bank.Service{
		Identity: s.Core, Factors: s.Factors, SMS: queue, Policy: p,
		Credentials: s.Credential.Decrypters, Paddings: cfg.Paddings(), Limit: s.rateLimits(),
	})
	if err := s.Bank.EnsureDefaultClient(ctx); err != nil {
		return fmt.Errorf("default client: %w", err)
	}
	return nil
}

// buildSMS wires the sender GATEHOUSE_SMS_URL names (or the test's) and
// the outbox that feeds it. Without a sender it returns a nil queue: the
// bank door then offers no OTP_SMS.
func (s *Server) buildSMS(cfg config.Config, sealer core.Sealer) (bank.SMSQueue, error) {
	sender := s.opts.SMS
	if sender == nil {
		var err error
		if sender, err = sms.FromURL(cfg.SMSURL, cfg.SMSToken, sms.Options{Stderr: s.opts.Stderr, Now: s.opts.Now}); err != nil {
			return nil, err
		}
	}
	if sender == nil {
		return nil, nil
	}
	s.SMSSender = sender
	s.SMSOutbox = sms.NewOutbox(sealer, s.opts.Now)
	s.SMSOutbox.Log = s.Log
	return s.SMSOutbox, nil
}
