// Package testclock is the settable clock of Gatehouse's tests, a leaf
// package so that the tests of any package can use it (testenv itself
// imports the whole server).
package testclock

import (
	"sync"
	"time"
)

// Clock is a settable clock for tests: time moves only when the test says.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New starts a clock at a fixed instant.
func New() *Clock { return At(time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)) }

// At starts a clock at t.
func At(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
