package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
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

// buildIDTokenRing keeps an RS256 key for id_tokens whatever
// GATEHOUSE_SIGNING_ALG says (docs/oidc.md): with RS256 the signing ring is
// that key; with ES256 or EdDSA a second ring (keys.IDTokenRing) of the
// same schedule, shared, published and rotated like the signing ring.
func (a *App) buildIDTokenRing(ctx context.Context, sealer core.Sealer) error {
	if a.signsRS256() {
		a.IDTokens = a.Signing
		return nil
	}
	a.IDTokens = keys.NewRing(a.store, sealer, a.ringOptions(keys.RingOptions{
		Use: "sig", Name: keys.IDTokenRing, Alg: keys.AlgRS256, TokenTTL: a.Config.LongestTokenTTL(),
	}))
	if err := a.IDTokens.Ensure(ctx); err != nil {
		return fmt.Errorf("id_token keys: %w", err)
	}
	return nil
}

// signsRS256 reports whether the signing ring is RS256 (2048 or 4096 bits).
func (a *App) signsRS256() bool { return strings.HasPrefix(a.Config.SigningAlg, keys.AlgRS256) }

// SigningRings are the distinct rings that sign tokens: the signing ring
// and, beside one that is not RS256, the id_token ring. The JWKS publishes
// them and a rotation rotates them together.
func (a *App) SigningRings() []*keys.Ring {
	if a.IDTokens == nil || a.IDTokens == a.Signing {
		return []*keys.Ring{a.Signing}
	}
	return []*keys.Ring{a.Signing, a.IDTokens}
}

// IDTokenAlgs are the algorithms of id_tokens a client may register: RS256
// and, when another, the signing ring's (discovery's
// id_token_signing_alg_values_supported).
func (a *App) IDTokenAlgs() []string {
	if a.signsRS256() {
		return []string{keys.AlgRS256}
	}
	return []string{keys.AlgRS256, a.Config.SigningAlg}
}

// syncKeys reloads every ring from the store, where other nodes may have
// created or rotated keys, and creates the keys they lack (keys.Ring.Ensure).
func (a *App) syncKeys(ctx context.Context) {
	for _, r := range a.SigningRings() {
		if err := r.Ensure(ctx); err != nil {
			a.Log.Warn("signing keys: sync failed", "err", err)
		}
	}
	if err := a.Credential.Ensure(ctx); err != nil {
		a.Log.Warn("credential keys: sync failed", "err", err)
	}
}
