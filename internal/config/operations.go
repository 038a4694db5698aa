package config

import "fmt"

// validateOperations checks the shutdown settings. The drain must outlast
// the request deadline: a request stalled on the database until its
// deadline still gets its answer (503) before the server stops, instead of
// a cut connection.
func (c Config) validateOperations() []error {
	var errs []error
	if c.ShutdownDelay < 0 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_SHUTDOWN_DELAY: must not be negative"))
	}
	if c.ShutdownTimeout <= c.RequestTimeout {
		errs = append(errs, fmt.Errorf("GATEHOUSE_SHUTDOWN_TIMEOUT: %v must be longer than GATEHOUSE_REQUEST_TIMEOUT (%v), so that requests in flight finish within the drain", c.ShutdownTimeout, c.RequestTimeout))
	}
	return errs
}
