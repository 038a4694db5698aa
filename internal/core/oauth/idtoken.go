package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// idToken signs the ID Token of a grant (OpenID Connect Core §2, §3.1.3.6):
// sub the account's UUID, aud and azp the client, auth_time, acr and amr
// of the browser's sign-in (RFC 8176 values: the factors actually passed),
// nonce of the request, at_hash of the access token, sid of the browser's
// session (the one RP-initiated logout ends). It is signed in RS256 unless
// the client registered the signing ring's algorithm (idSigner).
func (s *Service) idToken(ctx context.Context, client bank.Client, pair identity.TokenPair, nonce string) (string, error) {
	sess := pair.Session
	now := s.now()
	signer, alg := s.idSigner(client)
	extra := map[string]any{
		"auth_time": identity.AuthTime(sess).Unix(),
		"azp":       client.ID,
		"at_hash":   atHash(alg, pair.Access),
	}
	if nonce != "" {
		extra["nonce"] = nonce
	}
	if v := sess.Attrs[attrACR]; v != "" {
		extra["acr"] = v
	}
	if v := strings.Fields(sess.Attrs[attrAMR]); len(v) > 0 {
		extra["amr"] = v
	}
	// The scopes' claims also in the id_token (OpenID Connect Core §5.4
	// puts them at userinfo): relying parties that read only the id_token
	// (oauth2-proxy, docs/oidc.md) find the address there.
	for k, v := range scopeClaims(pair.User, strings.Fields(sess.Attrs[attrScope])) {
		extra[k] = v
	}
	sid := sess.Attrs[attrSID]
	if sid == "" {
		sid = sess.ID
	}
	return signer.Sign(ctx, identity.Claims{Issuer: s.Policy.Issuer, Subject: pair.User.UUID, Audience: client.ID,
		IssuedAt: now, ExpiresAt: now.Add(s.Policy.IDTokenTTL), SessionID: sid, Extra: extra})
}

// idSigner picks the signer of the client's id_tokens and its algorithm:
// the signing ring when the client registered its algorithm
// (id_token_signed_response_alg), else the RS256 one. A client that named
// an algorithm the signing ring no longer has (GATEHOUSE_SIGNING_ALG
// changed) gets RS256, which every relying party accepts.
func (s *Service) idSigner(client bank.Client) (identity.TokenSigner, string) {
	if s.IDTokens == nil || (client.IDTokenAlg != "" && client.IDTokenAlg == s.Policy.SigningAlg) {
		return s.Tokens, s.Policy.SigningAlg
	}
	return s.IDTokens, "RS256"
}

// atHash is OpenID Connect Core §3.1.3.6's at_hash: the left half of the
// access token's hash under the hash of the id_token's algorithm (SHA-256
// for RS256 and ES256; SHA-512 for EdDSA over Ed25519, as go-oidc and
// OpenID Connect's EdDSA practice read it).
func atHash(alg, access string) string {
	if alg == "EdDSA" {
		sum := sha512.Sum512([]byte(access))
		return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
	}
	sum := sha256.Sum256([]byte(access))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// scopeClaims are the user's claims that the granted scopes open (OpenID
// Connect Core §5.4): email and email_verified; name and locale.
func scopeClaims(u identity.User, scope []string) map[string]any {
	claims := map[string]any{}
	for _, sc := range scope {
		switch sc {
		case ScopeEmail:
			claims["email"], claims["email_verified"] = u.Email, u.Confirmed()
		case ScopeProfile:
			claims["name"], claims["locale"] = u.Name, u.Locale
		}
	}
	return claims
}
