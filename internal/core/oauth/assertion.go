package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// AssertionType is the client_assertion_type of a JWT client assertion
// (RFC 7523 §2.2), the only one served.
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionAlgs are the algorithms a client assertion may be signed with
// (discovery's token_endpoint_auth_signing_alg_values_supported): never
// none, never HMAC (private_key_jwt is a key pair; client_secret_jwt is
// not served).
var AssertionAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

const (
	// MaxAssertionLife bounds an assertion's exp from now (and from its iat):
	// an assertion is made for one request, and its jti is remembered until
	// it expires, so a long-lived one would be a bearer secret in all but name.
	MaxAssertionLife = 5 * time.Minute
	// assertionSkew is the clock difference tolerated between a client and
	// Gatehouse for exp, nbf and iat.
	assertionSkew = time.Minute
	// maxAssertion caps the compact JWS before it is parsed; an RSA-4096
	// signature and the claims fit in a fraction of it.
	maxAssertion = 8 << 10
	// maxJTI caps the jti kept in the replay records.
	maxJTI = 256
)

// assertionClaims are the claims RFC 7523 §3 asks of a client assertion.
type assertionClaims struct {
	jwt.Claims
}

// authenticateAssertion is private_key_jwt (RFC 7523 §2.2 and §3, OpenID
// Connect Core §9): a JWT signed by a key of the client's registered jwks,
// iss = sub = client_id, aud this server (its issuer, its token endpoint
// URL, or the URL of the endpoint it is presented to), exp within
// MaxAssertionLife, and a jti used once (Records.UseAssertion). Every
// failure is core.ErrInvalidClient; once the signature is verified its
// description says what was wrong.
func (s *Service) authenticateAssertion(ctx context.Context, a ClientAuth) (bank.Client, error) {
	if a.AssertionType != AssertionType {
		return bank.Client{}, refuseAssertion("client_assertion_type", "client_assertion_type must be "+AssertionType, nil)
	}
	if a.Assertion == "" || len(a.Assertion) > maxAssertion {
		return bank.Client{}, refuseAssertion("client_assertion", "client_assertion is missing or too large", nil)
	}
	tok, err := jwt.ParseSigned(a.Assertion, AssertionAlgs)
	if err != nil {
		return bank.Client{}, refuseAssertion("client_assertion", "client_assertion is not a JWT signed with one of RS256, PS256, ES256, EdDSA", err)
	}
	var unverified assertionClaims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return bank.Client{}, core.ErrInvalidClient.With(err)
	}
	// The client is the assertion's sub (RFC 7523 §3 item 2); a client_id
	// sent beside it must name the same one (RFC 7521 §4.2).
	id := unverified.Subject
	if a.ID != "" && a.ID != id {
		return bank.Client{}, core.ErrInvalidClient.With(errors.New("client_id and the assertion's sub differ"))
	}
	c, err := s.Client(ctx, id)
	if err != nil {
		return bank.Client{}, err
	}
	if c.Method() != bank.AuthPrivateKeyJWT {
		return bank.Client{}, core.ErrInvalidClient.With(errors.New("the client is not registered for private_key_jwt"))
	}
	claims, err := verifyAssertion(tok, c.JWKS)
	if err != nil {
		return bank.Client{}, refuseAssertion("client_assertion", "client_assertion is not signed by a key of the client's jwks", err)
	}
	now := s.now()
	if err := s.checkAssertion(claims, c.ID, a.Endpoint, now); err != nil {
		return bank.Client{}, err
	}
	first, err := s.store.UseAssertion(ctx, c.ID, claims.ID, claims.Expiry.Time().Add(assertionSkew), now)
	if err != nil {
		return bank.Client{}, err
	}
	if !first {
		return bank.Client{}, refuseAssertion("client_assertion", "client_assertion was used before (its jti is single use)", nil)
	}
	return c, nil
}

// verifyAssertion checks tok's signature with the key of the client's key
// set that its kid names, or, without a kid, with each key in turn whose
// use and alg allow it, and returns the verified claims.
func verifyAssertion(tok *jwt.JSONWebToken, jwks string) (assertionClaims, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwks), &set); err != nil {
		return assertionClaims{}, fmt.Errorf("the client's jwks: %w", err)
	}
	if len(tok.Headers) != 1 {
		return assertionClaims{}, errors.New("not a single signature")
	}
	h := tok.Headers[0]
	keys := set.Keys
	if h.KeyID != "" {
		keys = set.Key(h.KeyID)
	}
	for _, k := range keys {
		if (k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != h.Algorithm) {
			continue
		}
		var c assertionClaims
		if err := tok.Claims(k.Key, &c); err == nil {
			return c, nil
		}
	}
	return assertionClaims{}, fmt.Errorf("no key of the client's jwks (kid %q, alg %s) verifies it", h.KeyID, h.Algorithm)
}

// checkAssertion judges the verified claims at now (RFC 7523 §3).
func (s *Service) checkAssertion(c assertionClaims, clientID, endpoint string, now time.Time) error {
	iss := s.Policy.Issuer
	switch {
	case c.Issuer != clientID || c.Subject != clientID:
		return refuseAssertion("client_assertion", "the assertion's iss and sub must both be the client_id", nil)
	case !slices.ContainsFunc(c.Audience, func(a string) bool {
		return a == iss || a == iss+"/oauth2/token" || (endpoint != "" && a == iss+endpoint)
	}):
		return refuseAssertion("client_assertion", "the assertion's aud must be the issuer or the token endpoint URL", nil)
	case c.Expiry == nil:
		return refuseAssertion("client_assertion", "the assertion has no exp", nil)
	case !now.Before(c.Expiry.Time().Add(assertionSkew)):
		return refuseAssertion("client_assertion", "the assertion has expired", nil)
	case c.Expiry.Time().After(now.Add(MaxAssertionLife + assertionSkew)):
		return refuseAssertion("client_assertion", "the assertion lives too long: exp at most 5 minutes ahead", nil)
	case c.IssuedAt != nil && (c.IssuedAt.Time().After(now.Add(assertionSkew)) ||
		c.Expiry.Time().Sub(c.IssuedAt.Time()) > MaxAssertionLife):
		return refuseAssertion("client_assertion", "the assertion's iat is in the future or more than 5 minutes before its exp", nil)
	case c.NotBefore != nil && c.NotBefore.Time().After(now.Add(assertionSkew)):
		return refuseAssertion("client_assertion", "the assertion is not valid yet (nbf)", nil)
	case c.ID == "" || len(c.ID) > maxJTI || !core.IsText(c.ID):
		return refuseAssertion("client_assertion", "the assertion needs a jti of at most 256 characters", nil)
	}
	return nil
}

// refuseAssertion is invalid_client (RFC 7523 §3.2) saying what was wrong.
func refuseAssertion(field, msg string, cause error) error {
	e := core.ErrInvalidClient.WithField(field, msg)
	if cause != nil {
		return e.With(cause)
	}
	return e
}
