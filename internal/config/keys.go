package config

import (
	"fmt"
	"strings"
	"time"
)

// validateKeys checks the key settings. A key is published the JWKS
// max-age plus the sync interval before it is used (package keys), and a
// credential key must live longer than twice that, or its successor would
// be due before it was published.
func (c Config) validateKeys() []error {
	var errs []error
	if c.KeySyncInterval < 100*time.Millisecond || c.KeySyncInterval > 5*time.Minute {
		errs = append(errs, fmt.Errorf("GATEHOUSE_KEY_SYNC_INTERVAL: want 100ms to 5m"))
	}
	if c.JWKSMaxAge < time.Second || c.JWKSMaxAge > time.Hour {
		errs = append(errs, fmt.Errorf("GATEHOUSE_JWKS_MAX_AGE: want 1s to 1h"))
	}
	if lead := c.KeyLead(); c.CredentialKeyLifetime <= 2*lead {
		errs = append(errs, fmt.Errorf("GATEHOUSE_CREDENTIAL_KEY_LIFETIME: %v must exceed twice GATEHOUSE_JWKS_MAX_AGE + GATEHOUSE_KEY_SYNC_INTERVAL (%v)", c.CredentialKeyLifetime, 2*lead))
	}
	prev := strings.TrimSpace(c.MasterKeyPrevious)
	switch {
	case prev == "":
	case strings.TrimSpace(c.MasterKey) == "":
		errs = append(errs, fmt.Errorf("GATEHOUSE_MASTER_KEY_PREVIOUS: set GATEHOUSE_MASTER_KEY to the new key as well (docs/operations.md, \"Keys\")"))
	case prev == strings.TrimSpace(c.MasterKey):
		errs = append(errs, fmt.Errorf("GATEHOUSE_MASTER_KEY_PREVIOUS: is the current GATEHOUSE_MASTER_KEY"))
	}
	return errs
}

// KeyLead is how long before it is used a new signing or credential key is
// published: the JWKS max-age plus the sync interval.
func (c Config) KeyLead() time.Duration { return c.JWKSMaxAge + c.KeySyncInterval }
