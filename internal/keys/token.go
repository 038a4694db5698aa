package keys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

var _ identity.TokenSigner = (*Ring)(nil)

// parseAlgs are the algorithms a token header may name at all: the
// asymmetric ones a ring can hold. Never "none", never HMAC (whose "secret"
// an attacker would take from our published public key). Verify then demands
// the exact algorithm of the key the kid names.
var parseAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// stdClaims are the registered and Gatehouse claims (docs/design.md "Decisions").
// aud is one string when signing; Verify also reads a one-element array.
type stdClaims struct {
	Issuer    string           `json:"iss,omitempty"`
	Subject   string           `json:"sub,omitempty"`
	Audience  jwt.Audience     `json:"aud,omitempty"`
	Expiry    *jwt.NumericDate `json:"exp,omitempty"`
	IssuedAt  *jwt.NumericDate `json:"iat,omitempty"`
	ID        string           `json:"jti,omitempty"`
	SessionID string           `json:"sid,omitempty"`
}

// reserved reports whether an Extra key would collide with stdClaims.
func reserved(k string) bool {
	switch k {
	case "iss", "sub", "aud", "exp", "iat", "jti", "sid":
		return true
	}
	return false
}

// Sign returns a compact JWT of c signed with the current key; its header
// carries kid and typ JWT, or at+jwt when c.Type says so (RFC 9068 §2.1;
// any other c.Type is an error). An empty c.Issuer takes RingOptions.Issuer. Extra
// claims are merged at the top level; one named like a standard claim is an
// error. If no key is active (Ensure not run, or the current key retired
// unnoticed) Sign runs Ensure first.
func (r *Ring) Sign(ctx context.Context, c identity.Claims) (string, error) {
	e, err := r.signingKey(ctx)
	if err != nil {
		return "", fmt.Errorf("keys.Sign: %w", err)
	}
	payload, err := r.marshalClaims(c)
	if err != nil {
		return "", fmt.Errorf("keys.Sign: %w", err)
	}
	signer := e.signer
	switch c.Type {
	case "", "JWT":
	case AccessTokenType:
		signer = e.atSigner
	default:
		return "", fmt.Errorf("keys.Sign: token type %q", c.Type)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("keys.Sign: %w", err)
	}
	return jws.CompactSerialize()
}

func (r *Ring) signingKey(ctx context.Context) (*entry, error) {
	r.mu.RLock()
	e := r.current(r.opts.Now())
	r.mu.RUnlock()
	if e == nil {
		if err := r.Ensure(ctx); err != nil {
			return nil, err
		}
		r.mu.RLock()
		e = r.current(r.opts.Now())
		r.mu.RUnlock()
	}
	if e == nil || e.signer == nil {
		return nil, ErrNoKey
	}
	return e, nil
}

// marshalClaims encodes the standard claims as a struct (no intermediate
// map) and splices the Extra object into it.
func (r *Ring) marshalClaims(c identity.Claims) ([]byte, error) {
	std := stdClaims{Issuer: c.Issuer, Subject: c.Subject, ID: c.ID, SessionID: c.SessionID,
		Expiry: jwt.NewNumericDate(c.ExpiresAt), IssuedAt: jwt.NewNumericDate(c.IssuedAt)}
	if std.Issuer == "" {
		std.Issuer = r.opts.Issuer
	}
	if c.Audience != "" {
		std.Audience = jwt.Audience{c.Audience}
	}
	b, err := json.Marshal(std)
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	for k := range c.Extra {
		if reserved(k) {
			return nil, fmt.Errorf("extra claim %q collides with a standard claim", k)
		}
	}
	extra, err := json.Marshal(c.Extra)
	if err != nil {
		return nil, fmt.Errorf("extra claims: %w", err)
	}
	if len(extra) <= 2 { // "{}"
		return b, nil
	}
	// b is {…} and never empty (iss at least, or {}); extra is {…}.
	if len(b) > 2 {
		b[len(b)-1] = ','
	} else {
		b = b[:1]
	}
	return append(b, extra[1:]...), nil
}

// Verify checks the token's signature with the key its kid names and decodes
// the claims. An unknown kid reloads the ring from the store (at most once a
// second), since another node may have rotated. It does not judge exp, iss,
// aud or typ (Claims.Type). Every failure is core.ErrInvalidToken carrying the cause. Extra
// holds the other claims, numbers as json.Number.
func (r *Ring) Verify(ctx context.Context, token string) (identity.Claims, error) {
	c, err := r.verify(ctx, token)
	if err != nil {
		return identity.Claims{}, core.ErrInvalidToken.With(fmt.Errorf("keys.Verify: %w", err))
	}
	return c, nil
}

func (r *Ring) verify(ctx context.Context, token string) (identity.Claims, error) {
	now := r.opts.Now()
	if kid, c, ok := r.verified.get(token, now); ok && r.verifyKey(kid) != nil {
		return c, nil
	}
	jws, err := jose.ParseSignedCompact(token, parseAlgs)
	if err != nil {
		return identity.Claims{}, err
	}
	if len(jws.Signatures) != 1 {
		return identity.Claims{}, errors.New("not a single signature")
	}
	h := jws.Signatures[0].Header
	if h.KeyID == "" {
		return identity.Claims{}, errors.New("no kid in header")
	}
	e := r.verifyKey(h.KeyID)
	if e == nil {
		if err := r.Reload(ctx); err != nil {
			return identity.Claims{}, fmt.Errorf("unknown kid %q: %w", h.KeyID, err)
		}
		if e = r.verifyKey(h.KeyID); e == nil {
			return identity.Claims{}, fmt.Errorf("unknown or expired kid %q", h.KeyID)
		}
	}
	if h.Algorithm != e.rec.Alg {
		return identity.Claims{}, fmt.Errorf("alg %q does not match key %s (%s)", h.Algorithm, e.rec.KID, e.rec.Alg)
	}
	payload, err := jws.Verify(e.jwk.Key)
	if err != nil {
		return identity.Claims{}, err
	}
	c, err := decodeClaims(payload)
	if err != nil {
		return identity.Claims{}, err
	}
	c.Type, _ = h.ExtraHeaders[jose.HeaderType].(string) // the core judges it (identity.Service.FirstParty)
	r.verified.put(token, e.rec.KID, c, now)
	return c, nil
}

// verifyKey finds an unexpired signing key by kid, including the next key
// (another node's clock may be slightly ahead).
func (r *Ring) verifyKey(kid string) *entry {
	now := r.opts.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range r.keys {
		if e.rec.KID == kid {
			if e.signer == nil || !now.Before(e.rec.ExpiresAt) {
				return nil
			}
			return e
		}
	}
	return nil
}

func decodeClaims(payload []byte) (identity.Claims, error) {
	var std stdClaims
	if err := json.Unmarshal(payload, &std); err != nil {
		return identity.Claims{}, fmt.Errorf("claims: %w", err)
	}
	if len(std.Audience) > 1 {
		return identity.Claims{}, errors.New("claims: more than one audience")
	}
	c := identity.Claims{Issuer: std.Issuer, Subject: std.Subject, ID: std.ID, SessionID: std.SessionID,
		ExpiresAt: numericTime(std.Expiry), IssuedAt: numericTime(std.IssuedAt)}
	if len(std.Audience) == 1 {
		c.Audience = std.Audience[0]
	}
	var all map[string]any
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber() // int64 ids survive exactly
	if err := d.Decode(&all); err != nil {
		return identity.Claims{}, fmt.Errorf("claims: %w", err)
	}
	for k, v := range all {
		if !reserved(k) {
			if c.Extra == nil {
				c.Extra = make(map[string]any, len(all))
			}
			c.Extra[k] = v
		}
	}
	return c, nil
}

// numericTime turns a NumericDate into UTC time, zero when absent.
func numericTime(n *jwt.NumericDate) time.Time {
	if n == nil {
		return time.Time{}
	}
	return n.Time().UTC()
}
