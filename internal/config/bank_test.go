package config

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

func TestBankDefaultsAreValidAndTellAlmatyTime(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 2, 17, 11, 39, 46, 0, time.UTC).In(c.Zone())
	if _, off := at.Zone(); off != 5*3600 && off != 6*3600 { // UTC+5 since 2024, UTC+6 before
		t.Fatalf("Asia/Almaty offset %d s", off)
	}
}

func TestBankSettingsAreCheckedTogether(t *testing.T) {
	c := Default()
	c.BankZone, c.OTPAttempts, c.OTPTTL, c.CredentialKeyLifetime = "Mars/Olympus", 0, time.Second, time.Minute
	err := c.Validate()
	for _, name := range []string{"GATEHOUSE_BANK_ZONE", "GATEHOUSE_OTP_ATTEMPTS", "GATEHOUSE_OTP_TTL", "GATEHOUSE_CREDENTIAL_KEY_LIFETIME"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Validate did not report %s: %v", name, err)
		}
	}
}
