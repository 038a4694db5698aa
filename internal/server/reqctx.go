package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/requestid"
)

// requestContext is the context of one request on the public listener:
// its id (requestid.From), its client (core.CallerOf) and the deadline of
// its work (GATEHOUSE_REQUEST_TIMEOUT), in one value instead of four
// nested contexts.
//
// The deadline's timer is made only when something waits on it (Done,
// AfterFunc, a child context): the database drivers and the hashing pool
// do, and get exactly context.WithDeadline's context; a request that
// waits on nothing (GET /status, the JWKS, the public key) never makes a
// timer. Per request that was four allocations and a timer set and
// stopped on every answer (BENCHMARKS.md, issue 13, item 6).
//
// Once the request is answered (end), the context is done: a timer made
// afterwards is made already cancelled, as the context of
// context.WithTimeout would be after its cancel.
type requestContext struct {
	parent   context.Context
	deadline time.Time
	id       string
	caller   any // a core.Caller, boxed once

	mu    sync.Mutex
	real  atomic.Pointer[deadlineCtx]
	ended bool
}

type deadlineCtx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// timed returns the context.WithDeadline that carries the deadline,
// making it on the first call.
func (c *requestContext) timed() context.Context {
	if d := c.real.Load(); d != nil {
		return d.ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.real.Load(); d != nil {
		return d.ctx
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	if c.ended {
		cancel()
	}
	c.real.Store(&deadlineCtx{ctx, cancel})
	return ctx
}

// end cancels the context: the request is answered.
func (c *requestContext) end() {
	c.mu.Lock()
	c.ended = true
	d := c.real.Load()
	c.mu.Unlock()
	if d != nil {
		d.cancel()
	}
}

func (c *requestContext) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *requestContext) Done() <-chan struct{} { return c.timed().Done() }

// Err is nil without making a timer while the request runs within its
// deadline and its parent is not done.
func (c *requestContext) Err() error {
	if d := c.real.Load(); d != nil {
		return d.ctx.Err()
	}
	c.mu.Lock()
	ended := c.ended
	c.mu.Unlock()
	if ended || c.parent.Err() != nil || !time.Now().Before(c.deadline) {
		return c.timed().Err()
	}
	return nil
}

// Value answers the request id and the caller itself. Any other key goes
// to the deadline's context once it exists — so that context.Cause and
// the context package's own lookup of its parent's cancellation find the
// context Done belongs to — and to the parent before.
func (c *requestContext) Value(key any) any {
	switch {
	case requestid.IsKey(key):
		return c.id
	case core.IsCallerKey(key):
		return c.caller
	}
	if d := c.real.Load(); d != nil {
		return d.ctx.Value(key)
	}
	return c.parent.Value(key)
}

// AfterFunc lets context.AfterFunc and the context package's children
// register on the deadline's context instead of starting a goroutine each.
func (c *requestContext) AfterFunc(f func()) func() bool { return context.AfterFunc(c.timed(), f) }

func (c *requestContext) String() string { return "gatehouse.requestContext" }
