package server_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestARefreshedExternalTokenCarriesTheClaimsOfItsFirstToken: the refresh
// of an external session (POST /v1/auth/token's pair) signs the claims its
// first token had, with no door claim of the platform's own sessions, and
// the same audience; a platform session's refresh keeps its door claim.
func TestARefreshedExternalTokenCarriesTheClaimsOfItsFirstToken(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	signUp(t, e, "rex@example.com", "rex's password")
	own := mustLogin(t, e, "rex@example.com", "rex's password")
	for _, aud := range []string{partner, ""} {
		first := exchange(t, e, own.AccessToken, aud)
		_, before := jwtParts(t, first.AccessToken)
		_, after := jwtParts(t, mustRefresh(t, e, first.RefreshToken).AccessToken)
		if k1, k2 := slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)); !slices.Equal(k1, k2) {
			t.Errorf("audience %q: claims %v, refreshed %v", aud, k1, k2)
		}
		for _, c := range []string{"aud", "sub", "sid", "iss"} {
			if before[c] != after[c] {
				t.Errorf("audience %q: %s %v, refreshed %v", aud, c, before[c], after[c])
			}
		}
		if _, ok := after["door"]; ok {
			t.Errorf("audience %q: the refreshed external token claims door %v", aud, after["door"])
		}
	}
	_, c := jwtParts(t, mustRefresh(t, e, own.RefreshToken).AccessToken)
	if c["door"] != "platform" {
		t.Errorf("a platform session's refresh: door %v, want platform", c["door"])
	}
}
