package oauth

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Door is the Session.Door of the sessions the grants open.
const Door = identity.OAuthDoor

// Policy holds the standard door's tunables.
type Policy struct {
	Issuer     string        // GATEHOUSE_PUBLIC_URL: iss of every token, aud of none of these
	CodeTTL    time.Duration // an authorization code's life (RFC 6749 §4.1.2: at most 10 minutes)
	RequestTTL time.Duration // how long a kept authorization request waits for the sign-in
	IDTokenTTL time.Duration
	// SigningAlg is the JOSE algorithm of Tokens (RS256, ES256, EdDSA): a
	// client whose id_token_signed_response_alg names it gets its id_tokens
	// from Tokens instead of IDTokens.
	SigningAlg string
	// DeviceTTL is a device authorization's life (RFC 8628 §3.2
	// expires_in); DeviceInterval the least time between two polls (its
	// interval), whole seconds.
	DeviceTTL      time.Duration
	DeviceInterval time.Duration
}

// Service is the standard door's domain. Build it with New.
type Service struct {
	Identity *identity.Service
	Bank     *bank.Service // the client registry and its secrets
	// Tokens signs access tokens (the signing ring, GATEHOUSE_SIGNING_ALG;
	// the JWKS at /.well-known/jwks.json).
	Tokens identity.TokenSigner
	// IDTokens signs id_tokens in RS256 (OpenID Connect Core §3.1.3.7):
	// the RS256 ring kept beside a signing ring of another algorithm; nil
	// when the signing ring is RS256 itself (Tokens signs them).
	IDTokens identity.TokenSigner
	Policy   Policy

	store Store
}

// New returns the domain over st with the dependencies of s.
func New(st Store, s Service) *Service {
	s.store = st
	if s.Policy.CodeTTL <= 0 {
		s.Policy.CodeTTL = time.Minute
	}
	if s.Policy.RequestTTL <= 0 {
		s.Policy.RequestTTL = 15 * time.Minute
	}
	if s.Policy.IDTokenTTL <= 0 {
		s.Policy.IDTokenTTL = time.Hour
	}
	if s.Policy.DeviceTTL <= 0 {
		s.Policy.DeviceTTL = 10 * time.Minute
	}
	if s.Policy.DeviceInterval < time.Second {
		s.Policy.DeviceInterval = 5 * time.Second // RFC 8628 §3.2's default
	}
	return &s
}

func (s *Service) now() time.Time { return s.Identity.Now().UTC() }

// Client returns a client of the registry; core.ErrInvalidClient when
// there is none with this id.
func (s *Service) Client(ctx context.Context, id string) (bank.Client, error) {
	c, err := s.Bank.Client(ctx, id)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return bank.Client{}, core.ErrInvalidClient
		}
		return bank.Client{}, err
	}
	return c, nil
}

// Purge deletes expired requests, codes and device authorizations, an
// hour after they expired (a code presented late still reads as expired
// rather than unknown).
func (s *Service) Purge(ctx context.Context) error {
	if err := s.store.PurgeDeviceAuths(ctx, s.now().Add(-time.Hour)); err != nil {
		return err
	}
	return s.store.PurgeOAuth(ctx, s.now().Add(-time.Hour))
}
