package config

import (
	"strings"
	"testing"
	"time"
)

func TestCashdeskSettingsDefaultToKyivAndTwelveHours(t *testing.T) {
	c, err := Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	loc, err := c.CashdeskLocation()
	if err != nil || loc.String() != "Europe/Kyiv" || c.CashdeskTokenTTL != 12*time.Hour {
		t.Fatalf("zone %v (%v), ttl %v; want Europe/Kyiv and 12h", loc, err, c.CashdeskTokenTTL)
	}
	if c.LongestTokenTTL() != 12*time.Hour {
		t.Fatalf("LongestTokenTTL %v, want the cashdesk's 12h", c.LongestTokenTTL())
	}
}

func TestCashdeskSettingsComeFromTheEnvironmentAndAreValidated(t *testing.T) {
	env := map[string]string{"GATEHOUSE_CASHDESK_ZONE": "Asia/Almaty", "GATEHOUSE_CASHDESK_TOKEN_TTL": "8h"}
	c, err := Load(nil, func(k string) string { return env[k] })
	if err != nil || c.CashdeskZone != "Asia/Almaty" || c.CashdeskTokenTTL != 8*time.Hour {
		t.Fatalf("loaded %q %v (%v)", c.CashdeskZone, c.CashdeskTokenTTL, err)
	}
	c.CashdeskZone, c.CashdeskTokenTTL = "Mars/Olympus", 0
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_CASHDESK_ZONE") || !strings.Contains(err.Error(), "GATEHOUSE_CASHDESK_TOKEN_TTL") {
		t.Fatalf("Validate = %v, want both cashdesk settings reported", err)
	}
}
