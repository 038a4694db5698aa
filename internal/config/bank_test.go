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

func TestThePhoneRegionMustBeOneThePhoneParserKnows(t *testing.T) {
	c := Default()
	if c.PhoneRegion != "" || c.SMSURL != "" {
		t.Fatalf("defaults: region %q, SMS URL %q; want none (international numbers, no gateway)", c.PhoneRegion, c.SMSURL)
	}
	for region, ok := range map[string]bool{"KZ": true, "kz": true, " ua ": true, "ZZ": false, "Kazakhstan": false, "7": false} {
		c.PhoneRegion = region
		err := c.Validate()
		if ok != (err == nil) || (!ok && !strings.Contains(err.Error(), "GATEHOUSE_PHONE_REGION")) {
			t.Errorf("GATEHOUSE_PHONE_REGION=%q: %v", region, err)
		}
	}
	c.PhoneRegion = " kz "
	if c.PhoneRegionCode() != "KZ" {
		t.Fatalf("PhoneRegionCode = %q", c.PhoneRegionCode())
	}
}

func TestTheSMSTokenIsRedactedFromTheStartUpLog(t *testing.T) {
	c := Default()
	c.SMSURL, c.SMSToken = "https://sms.example.com/send", "sms-secret-token"
	got := fmtAll(c.Redacted())
	if strings.Contains(got, "sms-secret-token") || !strings.Contains(got, "https://sms.example.com/send") {
		t.Fatalf("redacted config: %s", got)
	}
}
