package config

import "fmt"

// validateHashing checks the password-hashing settings. The wait budget
// must leave the request time to hash once admitted: an admitted sign-in
// whose wait ran into the request's deadline would be a 503 after all,
// paid for with the whole wait.
func (c Config) validateHashing() []error {
	var errs []error
	if c.HashMaxWait <= 0 || c.HashMaxWait >= c.RequestTimeout {
		errs = append(errs, fmt.Errorf("GATEHOUSE_HASH_MAX_WAIT: %v must be positive and shorter than GATEHOUSE_REQUEST_TIMEOUT (%v)", c.HashMaxWait, c.RequestTimeout))
	}
	if c.HashNice < 0 || c.HashNice > 19 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_HASH_NICE: %d: want 0 (hash in the server process) to 19", c.HashNice))
	}
	return errs
}
