package config

import (
	"fmt"
	"time"
	_ "time/tzdata" // the zones must load on hosts without a zoneinfo database
)

// CashdeskLocation is GATEHOUSE_CASHDESK_ZONE loaded.
func (c Config) CashdeskLocation() (*time.Location, error) {
	return time.LoadLocation(c.CashdeskZone)
}

// LongestTokenTTL is the longest lifetime of an access token any door
// issues: signing keys stay published that long after they retire, so a
// cashier's 12-hour token outlives a rotation.
func (c Config) LongestTokenTTL() time.Duration { return max(c.AccessTTL, c.CashdeskTokenTTL) }

func (c Config) validateCashdesk() []error {
	var errs []error
	if c.CashdeskZone == "" {
		errs = append(errs, fmt.Errorf("GATEHOUSE_CASHDESK_ZONE: a zone is required (e.g. Europe/Kyiv)"))
	} else if _, err := c.CashdeskLocation(); err != nil {
		errs = append(errs, fmt.Errorf("GATEHOUSE_CASHDESK_ZONE: %v", err))
	}
	if c.CashdeskTokenTTL <= 0 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_CASHDESK_TOKEN_TTL: must be positive"))
	}
	return errs
}
