package testenv

import "github.com/gatehouse/gatehouse/internal/testenv/testclock"

// Clock is a settable clock for tests: time moves only when the test says.
type Clock = testclock.Clock

// NewClock starts at a fixed instant.
func NewClock() *Clock { return testclock.New() }
