package config

import "fmt"

// validateHashing checks the password-hashing settings. The wait budget
// must leave the request time to hash once admitted: an admitted sign-in
// whose wait ran into the request's deadline would be a 503 after all,
// paid for with the whole wait.
func (c Config) validateHashing() []error {
	if c.HashMaxWait <= 0 || c.HashMaxWait >= c.RequestTimeout {
		return []error{fmt.Errorf("GATEHOUSE_HASH_MAX_WAIT: %v must be positive and shorter than GATEHOUSE_REQUEST_TIMEOUT (%v)", c.HashMaxWait, c.RequestTimeout)}
	}
	return nil
}
