package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/limit"
	"github.com/gatehouse/gatehouse/internal/mail"
	"github.com/gatehouse/gatehouse/internal/sms"
)

// Check reports every problem of cfg that shows without the database or
// the network, all at once: config.Validate, and the forms the adapters
// read later (the master keys' base64, the SMTP, SMS and Redis URLs).
// serve runs it before it binds a port and New before it opens the
// database, so that a bad setting changes nothing: no database created or
// migrated, no admin token made and shown.
func Check(cfg config.Config) error {
	errs := []error{cfg.Validate()}
	switch {
	case strings.TrimSpace(cfg.MasterKey) != "":
		if _, err := keys.ParseMasterKey("GATEHOUSE_MASTER_KEY", cfg.MasterKey); err != nil {
			errs = append(errs, err)
		}
	case cfg.SQLitePath() == "":
		errs = append(errs, errors.New("GATEHOUSE_MASTER_KEY: required with PostgreSQL (base64 of 32 bytes, the same on every node)"))
	}
	if strings.TrimSpace(cfg.MasterKeyPrevious) != "" {
		if _, err := keys.ParseMasterKey("GATEHOUSE_MASTER_KEY_PREVIOUS", cfg.MasterKeyPrevious); err != nil {
			errs = append(errs, err)
		}
	}
	// A scheme Validate refused is not parsed again.
	if strings.HasPrefix(cfg.SMTPURL, "smtp://") || strings.HasPrefix(cfg.SMTPURL, "smtps://") {
		if _, err := mail.NewSMTP(cfg.SMTPURL, mail.SMTPOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("GATEHOUSE_SMTP_URL: %w", err))
		}
	}
	if _, err := sms.FromURL(cfg.SMSURL, cfg.SMSToken, sms.Options{Stderr: io.Discard}); err != nil {
		errs = append(errs, err)
	}
	if strings.HasPrefix(cfg.RedisURL, "redis://") || strings.HasPrefix(cfg.RedisURL, "rediss://") {
		r, err := limit.NewRedis(cfg.RedisURL, "") // parses only: the client dials on first use
		if err != nil {
			errs = append(errs, fmt.Errorf("GATEHOUSE_REDIS_URL: %w", err))
		} else {
			r.Close()
		}
	}
	return errors.Join(errs...)
}
