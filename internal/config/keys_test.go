package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTheKeySettingsAreCheckedTogether(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"GATEHOUSE_KEY_SYNC_INTERVAL": "2s", "GATEHOUSE_JWKS_MAX_AGE": "90s",
		"GATEHOUSE_MASTER_KEY": "new", "GATEHOUSE_MASTER_KEY_PREVIOUS": "old"}))
	if err != nil || c.KeySyncInterval != 2*time.Second || c.JWKSMaxAge != 90*time.Second || c.MasterKeyPrevious != "old" {
		t.Fatalf("Load: %+v, %v", c, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := Default(); d.KeySyncInterval != 5*time.Second || d.JWKSMaxAge != 5*time.Minute {
		t.Fatalf("defaults: sync %v, max-age %v", d.KeySyncInterval, d.JWKSMaxAge)
	}
	for name, edit := range map[string]func(*Config){
		"GATEHOUSE_KEY_SYNC_INTERVAL":       func(c *Config) { c.KeySyncInterval = 0 },
		"GATEHOUSE_JWKS_MAX_AGE":            func(c *Config) { c.JWKSMaxAge = 2 * time.Hour },
		"GATEHOUSE_CREDENTIAL_KEY_LIFETIME": func(c *Config) { c.JWKSMaxAge, c.CredentialKeyLifetime = time.Hour, 2*time.Hour },
		"GATEHOUSE_MASTER_KEY_PREVIOUS":     func(c *Config) { c.MasterKey, c.MasterKeyPrevious = "", "old" },
	} {
		c := Default()
		edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: Validate = %v", name, err)
		}
	}
	c = Default()
	c.MasterKey, c.MasterKeyPrevious = "same", "same"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "is the current") {
		t.Errorf("previous = current: %v", err)
	}
	if got := fmt.Sprint(c.Redacted()...); strings.Contains(got, "same") {
		t.Fatalf("the start-up log shows a master key: %s", got)
	}
}
