package core

import "context"

// Caller is who is on the other end of a request, as far as the core needs
// to know: the address (for lockout and the audit log), the user agent, and
// the actor the door authenticated. The server's middleware puts it in
// every request's context, so no door has to pass it along.
type Caller struct {
	IP        string
	UserAgent string
	Actor     string // "admin:token", "admin:ID", "user:ID"; empty for anonymous callers
	// Client is the OAuth client a door found for the request where the
	// request does not name it itself (the bank's steps carry it in their
	// token), so that rate limits count per client there too.
	Client string
}

// WithClient returns ctx whose caller uses the OAuth client id.
func WithClient(ctx context.Context, id string) context.Context {
	c := CallerOf(ctx)
	c.Client = id
	return WithCaller(ctx, c)
}

type callerKey struct{}

// IsCallerKey reports whether k is the key WithCaller stores the caller
// under, for a context type that carries the caller itself (the server's
// request context, one allocation per request instead of several). Its
// Value must answer a Caller.
func IsCallerKey(k any) bool { _, ok := k.(callerKey); return ok }

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerOf returns the caller in ctx, a zero Caller when none.
func CallerOf(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

// WithActor returns ctx whose client names actor as who acts.
func WithActor(ctx context.Context, actor string) context.Context {
	c := CallerOf(ctx)
	c.Actor = actor
	return WithCaller(ctx, c)
}
