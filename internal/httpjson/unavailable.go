package httpjson

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/core"
)

// untyped answers an error the core did not classify. A dependency that
// is down or slow (the database unreachable, a connection cut mid-request,
// the request's deadline spent) is a 503 with Retry-After: the client may
// try again, and the transaction it interrupted rolled back. Anything else
// is a bug: a 500. Either way the cause goes to the log, naming the route
// pattern and never the path, which may carry a code.
func (a Adapter) untyped(r *http.Request, err error) *core.Error {
	if transient(err) {
		if a.Log != nil {
			a.Log.WarnContext(r.Context(), "dependency unavailable", "method", r.Method, "route", r.Pattern, "err", err)
		}
		return core.ErrUnavailable.With(err)
	}
	if a.Log != nil {
		a.Log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "err", err)
	}
	return &core.Error{Kind: core.KindInternal, Code: "internal_error", Message: "internal error"}
}

// Classify returns err's core error, or, for an error the core did not
// type, what untyped makes of it (logged there): for doors with their own
// wire format (the bank's OAuth errors) that still answer a failing
// dependency with 503 + Retry-After.
func (a Adapter) Classify(r *http.Request, err error) *core.Error {
	var e *core.Error
	if errors.As(err, &e) {
		return e
	}
	return a.untyped(r, err)
}

// transient reports errors of an unreachable or slow dependency rather
// than of the code: the request's deadline spent, a network error (Redis).
// The store maps its own drivers' errors to core.ErrUnavailable itself;
// no driver's error type is known here.
func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	return false
}
