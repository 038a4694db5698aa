package config

import (
	"fmt"
	"time"
)

// validateHashing checks the password-hashing settings.
func (c Config) validateHashing() []error {
	var errs []error
	if c.HashMaxWait <= 0 || c.HashMaxWait > time.Minute {
		errs = append(errs, fmt.Errorf("GATEHOUSE_HASH_MAX_WAIT: %v: want more than 0 and at most 1m", c.HashMaxWait))
	}
	if c.HashNice < 0 || c.HashNice > 19 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_HASH_NICE: %d: want 0 (hash in the server process) to 19", c.HashNice))
	}
	return errs
}

// HashWait is the wait budget the hasher uses: GATEHOUSE_HASH_MAX_WAIT, but
// at most half the request deadline, so that a sign-in admitted to wait
// still has the time to hash: one whose wait ran into its deadline would be
// a 503 after all, paid for with the whole wait. (A shorter
// GATEHOUSE_REQUEST_TIMEOUT is a valid choice, and lowers the budget with
// it rather than stopping the start.)
func (c Config) HashWait() time.Duration { return min(c.HashMaxWait, c.RequestTimeout/2) }
