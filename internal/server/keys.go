package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/door/admin"
	"github.com/gatehouse/gatehouse/internal/keys"
)

// jwks serves the published signing keys and the credential key (use
// "enc") as one key set (RFC 7517 §5). Clients may keep it for
// GATEHOUSE_JWKS_MAX_AGE: a new key is published that long (plus the sync
// interval) before it signs, and verifiers refetch on an unknown kid.
func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheControl(s.Config.JWKSMaxAge))
	_, _ = w.Write(keys.MergeJWKS(s.Signing, s.Credential))
}

// cacheControl is the Cache-Control of the published keys.
func cacheControl(maxAge time.Duration) string {
	return "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
}

// rotateKeys is the admin API's rotation of the signing key.
func (s *Server) rotateKeys(ctx context.Context, immediate bool) (admin.RotatedKey, error) {
	k, err := s.Signing.Rotate(ctx, immediate)
	if err != nil {
		return admin.RotatedKey{}, fmt.Errorf("rotate signing key: %w", err)
	}
	return admin.RotatedKey{KID: k.KID, ActiveFrom: k.ActiveFrom, Immediate: immediate}, nil
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
