package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// validateBank checks the bank door's settings.
func (c Config) validateBank() []error {
	var errs []error
	if _, err := time.LoadLocation(c.BankZone); err != nil || c.BankZone == "" {
		errs = append(errs, fmt.Errorf("GATEHOUSE_BANK_ZONE: unknown time zone %q", c.BankZone))
	}
	if c.OTPAttempts < 1 || c.OTPAttempts > 20 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_OTP_ATTEMPTS: want 1 to 20"))
	}
	if c.OTPTTL < 30*time.Second || c.OTPTTL > time.Hour {
		errs = append(errs, fmt.Errorf("GATEHOUSE_OTP_TTL: want 30s to 1h"))
	}
	if c.CredentialKeyLifetime < time.Hour {
		errs = append(errs, fmt.Errorf("GATEHOUSE_CREDENTIAL_KEY_LIFETIME: want at least 1h"))
	}
	if r := c.PhoneRegionCode(); r != "" && phonenumbers.GetCountryCodeForRegion(r) == 0 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_PHONE_REGION: unknown region %q (want an ISO 3166-1 code such as KZ)", c.PhoneRegion))
	}
	return errs
}

// PhoneRegionCode is GATEHOUSE_PHONE_REGION in upper case, as the phone
// parser wants it.
func (c Config) PhoneRegionCode() string { return strings.ToUpper(strings.TrimSpace(c.PhoneRegion)) }

// Zone is GATEHOUSE_BANK_ZONE loaded (UTC if it does not load; Validate
// reports that).
func (c Config) Zone() *time.Location {
	z, err := time.LoadLocation(c.BankZone)
	if err != nil {
		return time.UTC
	}
	return z
}
