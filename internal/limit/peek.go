package limit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Peeker is a limiter that can tell whether a key is over its limit
// without counting an event (Memory, Redis, Fallback).
type Peeker interface {
	Peek(ctx context.Context, key string, limit int) (ok bool, retryAfter time.Duration, err error)
}

var (
	_ Peeker = (*Memory)(nil)
	_ Peeker = (*Redis)(nil)
	_ Peeker = (*Fallback)(nil)
)

// peekScript reads a window's count and remaining time, changing nothing.
var peekScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
return {n, ttl}`)

// Peek implements Peeker on the counts Allow keeps.
func (r *Redis) Peek(ctx context.Context, key string, limit int) (bool, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	h := sha256.Sum256([]byte(key))
	res, err := peekScript.Run(ctx, r.client, []string{r.prefix + hex.EncodeToString(h[:16])}).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("limit.Redis.Peek: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("limit.Redis.Peek: unexpected reply %v", res)
	}
	if res[0] < int64(limit) || res[1] <= 0 {
		return true, 0, nil
	}
	return false, time.Duration(res[1]) * time.Millisecond, nil
}

// Peek asks Primary and, when it fails, Local, as Allow does.
func (f *Fallback) Peek(ctx context.Context, key string, limit int) (bool, time.Duration, error) {
	if p, ok := f.Primary.(Peeker); ok {
		ok, retry, err := p.Peek(ctx, key, limit)
		if err == nil {
			return ok, retry, nil
		}
		f.warn(err)
	}
	if l, ok := f.Local.(Peeker); ok {
		return l.Peek(ctx, key, limit)
	}
	return true, 0, nil
}
