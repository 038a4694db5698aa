package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/web/console"
)

// jwks serves the published signing keys and the credential key (use
// "enc") as one key set (RFC 7517 §5). Clients may keep it for
// GATEHOUSE_JWKS_MAX_AGE: a new key is published that long (plus the sync
// interval) before it signs, and verifiers refetch on an unknown kid.
func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheControl(s.Config.JWKSMaxAge))
	_, _ = w.Write(keys.MergeJWKS(append(s.SigningRings(), s.Credential)...))
}

// cacheControl is the Cache-Control of the published keys.
func cacheControl(maxAge time.Duration) string {
	return "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
}

// rotateKeys is the rotation of the signing key that the admin API and the
// admin console both make: the new key, then its audit row with the
// context's actor. The row is written after the rotation, not in its
// transaction: the key ring stores the key itself (SECURITY.md). The
// id_token ring, when there is one, rotates with it (its own audit row);
// the answer names the signing ring's key.
func (s *Server) rotateKeys(ctx context.Context, immediate bool) (admin.RotatedKey, error) {
	rings := s.SigningRings()
	for _, r := range rings[1:] {
		k, err := r.Rotate(ctx, immediate)
		if err != nil {
			return admin.RotatedKey{}, fmt.Errorf("rotate id_token key: %w", err)
		}
		if err := s.Identity.Record(ctx, identity.AuditEvent{Type: identity.AuditAdminKeysRotated, Subject: k.KID,
			Detail: map[string]string{"active_from": k.ActiveFrom.UTC().Format(time.RFC3339), "immediate": strconv.FormatBool(immediate),
				"ring": keys.IDTokenRing}}); err != nil {
			return admin.RotatedKey{}, err
		}
	}
	k, err := rings[0].Rotate(ctx, immediate)
	if err != nil {
		return admin.RotatedKey{}, fmt.Errorf("rotate signing key: %w", err)
	}
	if err := s.Identity.Record(ctx, identity.AuditEvent{Type: identity.AuditAdminKeysRotated, Subject: k.KID,
		Detail: map[string]string{"active_from": k.ActiveFrom.UTC().Format(time.RFC3339), "immediate": strconv.FormatBool(immediate)}}); err != nil {
		return admin.RotatedKey{}, err
	}
	return admin.RotatedKey{KID: k.KID, ActiveFrom: k.ActiveFrom, Immediate: immediate}, nil
}

// consoleRotation is rotateKeys for the admin console.
func (s *Server) consoleRotation(ctx context.Context, immediate bool) (console.RotatedKey, error) {
	k, err := s.rotateKeys(ctx, immediate)
	return console.RotatedKey{KID: k.KID, ActiveFrom: k.ActiveFrom.UTC().Format(time.RFC3339), Immediate: k.Immediate}, err
}

// signingAlg is the JOSE algorithm of the tokens the signing ring signs
// (GATEHOUSE_SIGNING_ALG without the key size): the standard door's
// id_token_signing_alg_values_supported.
func (s *Server) signingAlg() string {
	if strings.HasPrefix(s.Config.SigningAlg, "RS256") {
		return "RS256"
	}
	return s.Config.SigningAlg
}
