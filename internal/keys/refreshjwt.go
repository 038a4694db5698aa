package keys

import (
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/core/bank"
)

var _ bank.RefreshTokens = (*RefreshJWT)(nil)

// RefreshSecretName names the HMAC key of the bank's refresh tokens in the
// store's secrets (LoadSecret).
const RefreshSecretName = "bank_refresh_hs256"

// RefreshTyp is the header typ of a bank refresh token: never an access
// token's "JWT", so neither is ever taken for the other.
const RefreshTyp = "rt+jwt"

// maxRefreshJWT bounds the text Unwrap parses (a real one is about 400
// bytes).
const maxRefreshJWT = 2048

// RefreshJWT writes the bank door's refresh tokens as JWTs, as the
// published API types refresh_token (docs/bank.md "Refresh"): HS256 under
// a 256-bit server key (LoadSecret), since only Gatehouse reads them and
// an RSA signature would cost every refresh for nothing. The jti is the
// core's opaque refresh token, the handle of its refresh record, so that
// rotation, the retry grace and reuse detection stay the core's. Wrap is
// deterministic (no iat: every claim is fixed by the handle's record), so
// a retry inside the grace, which gets the same successor handle, gets the
// same refresh_token text.
type RefreshJWT struct {
	issuer   string
	audience string // the token endpoint: the one place that reads them
	key      []byte
	signer   jose.Signer
}

// NewRefreshJWT returns the writer of refresh tokens issued by issuer
// (GATEHOUSE_PUBLIC_URL) under the 32-byte key.
func NewRefreshJWT(key []byte, issuer string) (*RefreshJWT, error) {
	if len(key) != 32 {
		return nil, errors.New("keys.NewRefreshJWT: the key must have 32 bytes")
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key},
		(&jose.SignerOptions{}).WithType(RefreshTyp))
	if err != nil {
		return nil, fmt.Errorf("keys.NewRefreshJWT: %w", err)
	}
	return &RefreshJWT{issuer: issuer, audience: issuer + "/auth/oauth/token", key: key, signer: s}, nil
}

type refreshClaims struct {
	Issuer    string           `json:"iss"`
	Subject   string           `json:"sub"`
	Audience  jwt.Audience     `json:"aud"`
	Expiry    *jwt.NumericDate `json:"exp"`
	ID        string           `json:"jti"`
	SessionID string           `json:"sid"`
}

// Wrap returns the compact JWS of c: iss, sub (the account's UUID), aud
// (the token endpoint), exp (the session's end), jti (the handle), sid.
func (r *RefreshJWT) Wrap(c bank.RefreshClaims) (string, error) {
	tok, err := jwt.Signed(r.signer).Claims(refreshClaims{
		Issuer: r.issuer, Subject: c.Subject, Audience: jwt.Audience{r.audience},
		Expiry: jwt.NewNumericDate(c.Expiry), ID: c.Handle, SessionID: c.SessionID,
	}).Serialize()
	if err != nil {
		return "", fmt.Errorf("keys.RefreshJWT.Wrap: %w", err)
	}
	return tok, nil
}

// Unwrap checks a refresh JWT (HS256 under this key only, typ rt+jwt, this
// issuer and audience, not expired at now) and returns its jti, the
// handle; any failure is an error and the token is unknown.
func (r *RefreshJWT) Unwrap(token string, now time.Time) (string, error) {
	if len(token) > maxRefreshJWT {
		return "", errors.New("refresh token too long")
	}
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return "", err
	}
	if len(t.Headers) != 1 || t.Headers[0].ExtraHeaders[jose.HeaderType] != RefreshTyp {
		return "", errors.New("not a refresh token")
	}
	var c refreshClaims
	if err := t.Claims(r.key, &c); err != nil {
		return "", err
	}
	exp := jwt.Expected{Issuer: r.issuer, AnyAudience: jwt.Audience{r.audience}, Time: now}
	if err := (jwt.Claims{Issuer: c.Issuer, Audience: c.Audience, Expiry: c.Expiry}).ValidateWithLeeway(exp, 0); err != nil {
		return "", err
	}
	if c.ID == "" || c.Expiry == nil || !now.Before(c.Expiry.Time()) { // dead at exp, as the record is
		return "", errors.New("refresh token without jti, or expired")
	}
	return c.ID, nil
}
