package limit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Redis is a fixed-window counter shared by every node that points at the
// same Redis (GATEHOUSE_REDIS_URL). Windows run on Redis's clock (the
// key's TTL), not the node's.
type Redis struct {
	client *redis.Client
	prefix string
	// Timeout bounds each call, so that a hanging Redis costs a login a
	// fraction of a second before the Fallback answers instead.
	Timeout time.Duration
}

var _ identity.Limiter = (*Redis)(nil)

// windowScript counts one event and returns the count and the window's
// remaining time in milliseconds, atomically. A key without a TTL (one
// left by a crash between INCR and PEXPIRE) gets one, so no key lives
// forever.
var windowScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// NewRedis connects lazily to url (redis://… or rediss://…); keys start
// with prefix. It fails only on a malformed URL: an unreachable Redis is
// the Fallback's business.
func NewRedis(url, prefix string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("limit.NewRedis: %w", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, 500*time.Millisecond, 500*time.Millisecond
	opt.MaxRetries = 1
	opt.DialerRetries, opt.DialerRetryTimeout = 1, 50*time.Millisecond
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	return &Redis{client: redis.NewClient(opt), prefix: prefix, Timeout: 500 * time.Millisecond}, nil
}

// go-redis logs dial failures to the standard logger on every request;
// the Fallback reports an outage once a minute instead.
var quietOnce sync.Once

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// Close releases the connections.
func (r *Redis) Close() error { return r.client.Close() }

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Allow implements identity.Limiter. Keys are hashed: they carry e-mail
// addresses, which need not sit in Redis in the clear.
func (r *Redis) Allow(ctx context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	h := sha256.Sum256([]byte(key))
	res, err := windowScript.Run(ctx, r.client, []string{r.prefix + hex.EncodeToString(h[:16])}, per.Milliseconds()).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("limit.Redis.Allow: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("limit.Redis.Allow: unexpected reply %v", res)
	}
	if res[0] > int64(limit) {
		return false, time.Duration(res[1]) * time.Millisecond, nil
	}
	return true, 0, nil
}

// Fallback asks Primary (Redis) and, when it fails, Local (in process):
// limits stay on when Redis is down, counted per node until it returns,
// and no request fails because of it (SECURITY.md "Faults").
type Fallback struct {
	Primary identity.Limiter
	Local   identity.Limiter
	Log     *slog.Logger
	Now     func() time.Time

	mu     sync.Mutex
	warned time.Time
}

var _ identity.Limiter = (*Fallback)(nil)

// Allow implements identity.Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	ok, retry, err := f.Primary.Allow(ctx, key, limit, per)
	if err == nil {
		return ok, retry, nil
	}
	f.warn(err)
	return f.Local.Allow(ctx, key, limit, per)
}

// warn logs the outage at most once a minute, not once per request.
func (f *Fallback) warn(err error) {
	now := f.Now()
	f.mu.Lock()
	quiet := now.Sub(f.warned) < time.Minute
	if !quiet {
		f.warned = now
	}
	f.mu.Unlock()
	if !quiet && f.Log != nil {
		f.Log.Warn("rate limits: Redis failed, counting in process until it answers", "err", err)
	}
}
