package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/limit"
)

// RateLimits is the request rate limits (SECURITY.md "Rate limits") as a
// core.Limit over the context's caller, or nil when GATEHOUSE_RATE_LIMITS
// is off. Each endpoint has per-minute limits per client IP, per subject
// (the address tried: the key is the string whether or not an account has
// it) and per OAuth client; endpoints not in the table get the "default"
// row.
func (a *App) RateLimits() core.Limit {
	if a.Config.RateLimits == "off" {
		return nil
	}
	rules, err := a.Config.Limits()
	if err != nil { // Validate has refused this already
		rules = config.DefaultLimits()
	}
	return func(ctx context.Context, endpoint core.Endpoint, subject string) error {
		err := a.limit(ctx, rules, endpoint, subject)
		if err != nil && a.OnRateLimited != nil && core.KindOf(err) == core.KindRateLimited {
			a.OnRateLimited(string(endpoint))
		}
		return err
	}
}

// limit passes a request to endpoint through its per-IP, per-subject and
// per-client limits.
func (a *App) limit(ctx context.Context, rules map[core.Endpoint]config.Limit, endpoint core.Endpoint, subject string) error {
	l, ok := rules[endpoint]
	if !ok {
		l = rules[core.EndpointDefault]
	}
	c, e := core.CallerOf(ctx), string(endpoint)
	if err := a.allow(ctx, "ip:"+e+":"+c.IP, l.PerIP); err != nil {
		return err
	}
	if subject = strings.TrimSpace(subject); subject != "" {
		if err := a.allow(ctx, "sub:"+e+":"+truncate(subject, 320), l.PerSubject); err != nil {
			return err
		}
	}
	if c.Client != "" {
		return a.allow(ctx, "cli:"+e+":"+truncate(c.Client, 128), l.PerClient)
	}
	return nil
}

func (a *App) allow(ctx context.Context, key string, n int) error {
	if n <= 0 {
		return nil
	}
	ok, retry, err := a.limits.Allow(ctx, key, n, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return core.RateLimited(retry)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// newLimiter is the in-process limiter, or Redis (shared by every node)
// when GATEHOUSE_REDIS_URL is set, falling back to in-process counts while
// Redis fails. close releases Redis.
func newLimiter(cfg config.Config, log *slog.Logger, now func() time.Time) (l identity.Limiter, close func() error, err error) {
	local := limit.NewMemory(now)
	if cfg.RedisURL == "" {
		return local, func() error { return nil }, nil
	}
	r, err := limit.NewRedis(cfg.RedisURL, cfg.RedisPrefix+"limit:")
	if err != nil {
		return nil, nil, err
	}
	return &limit.Fallback{Primary: r, Local: local, Log: log, Now: time.Now}, r.Close, nil
}
