package app

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/keys"
)

// ringOptions completes o with what every ring of this deployment shares:
// the clock, the key generator, and the schedule of publication (every
// node reloads each ring every GATEHOUSE_KEY_SYNC_INTERVAL; clients cache
// the published keys for GATEHOUSE_JWKS_MAX_AGE).
func (a *App) ringOptions(o keys.RingOptions) keys.RingOptions {
	o.Now, o.Generate = a.opts.Now, a.opts.KeyGen
	o.Sync, o.CacheMaxAge = a.Config.KeySyncInterval, a.Config.JWKSMaxAge
	return o
}

// syncKeys reloads both rings from the store, where other nodes may have
// created or rotated keys, and creates the keys they lack (keys.Ring.Ensure).
func (a *App) syncKeys(ctx context.Context) {
	if err := a.Signing.Ensure(ctx); err != nil {
		a.Log.Warn("signing keys: sync failed", "err", err)
	}
	if err := a.Credential.Ensure(ctx); err != nil {
		a.Log.Warn("credential keys: sync failed", "err", err)
	}
}
