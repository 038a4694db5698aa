package app

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/limit"
)

// AdminFailures limits wrong credentials at the admin API per client IP:
// the "admin" row of GATEHOUSE_RATE_LIMIT_RULES counts failures only, so
// an operator's script is never slowed by its own successes, and a client
// over the limit is refused before its credential is compared, so that
// guesses past the limit tell nothing (a 429 for a wrong guess and a 200
// for the right one would). Refusals count in the rate-limit metric. A nil
// *AdminFailures (GATEHOUSE_RATE_LIMITS=off) limits nothing.
type AdminFailures struct {
	a *App
	n int
}

// AdminFailures is the admin API's limit on wrong credentials; nil when
// rate limits are off or the row is 0.
func (a *App) AdminFailures() *AdminFailures {
	if a.Config.RateLimits == "off" {
		return nil
	}
	rules, err := a.Config.Limits()
	if err != nil {
		return nil // Validate has refused this already
	}
	n := rules[core.EndpointAdmin].PerIP
	if n <= 0 {
		return nil
	}
	return &AdminFailures{a: a, n: n}
}

func (f *AdminFailures) key(ctx context.Context) string {
	return "ip:" + string(core.EndpointAdmin) + ":" + core.CallerOf(ctx).IP
}

// Blocked answers a RateLimited error while the caller's IP is over its
// limit of failures, without counting this request.
func (f *AdminFailures) Blocked(ctx context.Context) error {
	if f == nil {
		return nil
	}
	p, ok := f.a.limits.(limit.Peeker)
	if !ok {
		return nil
	}
	allowed, retry, err := p.Peek(ctx, f.key(ctx), f.n)
	if err != nil || allowed {
		return nil // a failing limiter never refuses: the Fallback counts locally
	}
	return f.refused(retry)
}

// Failed counts one wrong credential; past the limit it answers the
// RateLimited error the request gets instead of its 401.
func (f *AdminFailures) Failed(ctx context.Context) error {
	if f == nil {
		return nil
	}
	allowed, retry, err := f.a.limits.Allow(ctx, f.key(ctx), f.n, time.Minute)
	if err != nil || allowed {
		return nil
	}
	return f.refused(retry)
}

func (f *AdminFailures) refused(retry time.Duration) error {
	if f.a.OnRateLimited != nil {
		f.a.OnRateLimited(string(core.EndpointAdmin))
	}
	return core.RateLimited(retry)
}
