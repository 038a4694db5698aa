package bank

import (
	"context"
	"crypto/subtle"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// DefaultClientID is the public client every installation has: the published API's
// curl authenticates as "WEB:" (Basic V0VCOg==).
const DefaultClientID = "WEB"

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ClientSpec is what an operator sets on a client.
type ClientSpec struct {
	ID           string
	Name         string
	Confidential bool // give it a secret
	GrantTypes   []string
	UserTypes    []string
	AccessTTL    time.Duration
	RefreshTTL   time.Duration
	Origins      []string
	Metadata     // RFC 7591 metadata of the standard door (metadata.go)
}

// normalize checks the spec and fills the defaults: every grant and the
// customer user type.
func (c *ClientSpec) normalize() error {
	if !clientIDPattern.MatchString(c.ID) {
		return core.Invalid("invalid_client_id", "id", "client id: 1-64 letters, digits, '.', '_' or '-'")
	}
	all := []string{GrantPassword, GrantCustomer, GrantOTP, GrantRefreshToken}
	if len(c.GrantTypes) == 0 {
		c.GrantTypes = slices.Clone(all)
		if len(c.RedirectURIs) > 0 { // a client of the standard door: its grants only
			c.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
		}
	}
	all = append(all, GrantAuthorizationCode, GrantClientCredentials, GrantDeviceCode)
	for i, g := range c.GrantTypes {
		c.GrantTypes[i] = strings.ToLower(strings.TrimSpace(g))
		if !slices.Contains(all, c.GrantTypes[i]) {
			return core.Invalid("invalid_grant_type", "grant_types", "unknown grant type "+g)
		}
	}
	if len(c.UserTypes) == 0 {
		c.UserTypes = []string{UserTypeCustomer}
	}
	for i, u := range c.UserTypes {
		if c.UserTypes[i] = strings.ToLower(strings.TrimSpace(u)); c.UserTypes[i] != UserTypeCustomer {
			return core.Invalid("invalid_user_type", "user_types", "unknown user type "+u)
		}
	}
	if c.AccessTTL < 0 || c.RefreshTTL < 0 || (c.AccessTTL > 0 && c.AccessTTL < 10*time.Second) {
		return core.Invalid("invalid_ttl", "access_ttl", "lifetimes must be positive (access at least 10s) or zero for the default")
	}
	for _, o := range c.Origins {
		if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") || strings.HasSuffix(o, "/") {
			return core.Invalid("invalid_origin", "origins", "an origin is scheme://host[:port] without a path: "+o)
		}
	}
	return c.Metadata.normalize(c.GrantTypes)
}

// normalize checks spec (ClientSpec.normalize), its id_token algorithm
// (one this server signs id_tokens with) and its resources: each an
// audience a token may name (identity.CheckAudience).
func (s *Service) normalize(spec *ClientSpec) error {
	if err := spec.normalize(); err != nil {
		return err
	}
	if algs := s.idTokenAlgs(); spec.IDTokenAlg != "" && !slices.Contains(algs, spec.IDTokenAlg) {
		return invalidMetadata("id_token_signed_response_alg", "one of "+strings.Join(algs, ", "))
	}
	for _, r := range spec.Resources {
		if err := s.Identity.CheckAudience("resources", r); err != nil {
			return err
		}
	}
	return nil
}

// CreateClient registers a client. secret is the new client's secret,
// shown this once ("" for a public client). ErrExists when the id is taken.
func (s *Service) CreateClient(ctx context.Context, spec ClientSpec) (c Client, secret string, err error) {
	defer core.Op(&err, "CreateClient")
	if err := s.normalize(&spec); err != nil {
		return Client{}, "", err
	}
	now := s.now()
	c = Client{ID: spec.ID, Name: spec.Name, GrantTypes: spec.GrantTypes, UserTypes: spec.UserTypes,
		AccessTTL: spec.AccessTTL, RefreshTTL: spec.RefreshTTL, Origins: spec.Origins, Metadata: spec.Metadata,
		CreatedAt: now, UpdatedAt: now}
	if spec.Confidential {
		secret = core.NewSecret()
		c.SecretHash = core.HashSecret(secret)
	}
	if err := c.checkMethod(); err != nil {
		return Client{}, "", err
	}
	e := identity.AdminEvent(identity.AuditAdminClient, "created", c.ID, "confidential", strconv.FormatBool(spec.Confidential))
	if err := s.audited(ctx, e, func(tx Store) error { return tx.CreateClient(ctx, &c) }); err != nil {
		return Client{}, "", err
	}
	return c, secret, nil
}

// UpdateClient replaces the settings of a client (not its secret).
func (s *Service) UpdateClient(ctx context.Context, spec ClientSpec) (c Client, err error) {
	defer core.Op(&err, "UpdateClient")
	if err := s.normalize(&spec); err != nil {
		return Client{}, err
	}
	err = s.audited(ctx, identity.AdminEvent(identity.AuditAdminClient, "updated", spec.ID), func(tx Store) (err error) {
		c, err = tx.UpdateClient(ctx, spec.ID, func(c *Client) error {
			c.Name, c.GrantTypes, c.UserTypes = spec.Name, spec.GrantTypes, spec.UserTypes
			c.AccessTTL, c.RefreshTTL, c.Origins, c.UpdatedAt = spec.AccessTTL, spec.RefreshTTL, spec.Origins, s.now()
			c.Metadata = spec.Metadata
			return c.checkMethod()
		})
		return err
	})
	return c, err
}

// Client returns the client with this id; ErrNotFound when absent or when
// id cannot be a client's (internal/core/text.go: a look-up by a malformed key).
func (s *Service) Client(ctx context.Context, id string) (Client, error) {
	if !clientIDPattern.MatchString(id) {
		return Client{}, core.ErrNotFound
	}
	return s.store.ClientByID(ctx, id)
}

// DeleteClient removes a client; ErrNotFound when absent.
func (s *Service) DeleteClient(ctx context.Context, id string) error {
	if !clientIDPattern.MatchString(id) {
		return core.ErrNotFound
	}
	return s.audited(ctx, identity.AdminEvent(identity.AuditAdminClient, "deleted", id), func(tx Store) error { return tx.DeleteClient(ctx, id) })
}

// RotateClientSecret gives a confidential client a new secret (shown once);
// the old one stops working at once. A public client becomes confidential;
// a private_key_jwt client is refused (invalid_client_metadata).
func (s *Service) RotateClientSecret(ctx context.Context, id string) (secret string, err error) {
	defer core.Op(&err, "RotateClientSecret")
	if !clientIDPattern.MatchString(id) {
		return "", core.ErrNotFound
	}
	secret = core.NewSecret()
	err = s.audited(ctx, identity.AdminEvent(identity.AuditAdminClient, "secret_rotated", id), func(tx Store) error {
		_, err := tx.UpdateClient(ctx, id, func(c *Client) error {
			if c.AuthMethod == AuthPrivateKeyJWT { // its keys rotate by an update of jwks
				return invalidMetadata("token_endpoint_auth_method", "a private_key_jwt client has no secret; update its jwks instead")
			}
			c.SecretHash, c.UpdatedAt = core.HashSecret(secret), s.now()
			if c.AuthMethod == AuthNone { // public no more: a secret method, derived
				c.AuthMethod = ""
			}
			return nil
		})
		return err
	})
	return secret, err
}

// EnsureDefaultClient creates the public WEB client when it is missing.
func (s *Service) EnsureDefaultClient(ctx context.Context) error {
	_, err := s.store.ClientByID(ctx, DefaultClientID)
	if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	// Gatehouse itself makes it at start, not an operator.
	_, _, err = s.CreateClient(core.WithActor(ctx, "system"), ClientSpec{ID: DefaultClientID, Name: "Web (public)"})
	if errors.Is(err, core.ErrExists) { // another node was faster
		return nil
	}
	return err
}

// ClientAuth is how a request names and authenticates its OAuth client, as
// the door read it: HTTP Basic (RFC 6749 §2.3.1) or client_id and
// client_secret among the parameters.
type ClientAuth struct {
	// Named is the client id as the request names it, before any check:
	// what the rate limits count per client.
	Named      string
	ID, Secret string
	// Malformed: Basic credentials that do not decode, or a client named
	// both ways.
	Malformed bool
	Origin    string // the browser's Origin header; "" when none
}

// AuthenticateClient is the one place a client is authenticated (RFC 6749
// §2.3.1): a public client must present no secret, a confidential one its
// secret, compared in constant time; and a browser's origin must be one
// the client allows. Every failure is ErrInvalidClient.
func (s *Service) AuthenticateClient(ctx context.Context, a ClientAuth) (Client, error) {
	if a.Malformed {
		return Client{}, core.ErrInvalidClient
	}
	c, err := s.clientBySecret(ctx, a.ID, a.Secret)
	if err != nil {
		return Client{}, err
	}
	if !c.AllowsOrigin(a.Origin) {
		return Client{}, core.ErrInvalidClient
	}
	return c, nil
}

// clientBySecret checks a client's id and secret.
func (s *Service) clientBySecret(ctx context.Context, id, secret string) (c Client, err error) {
	if !clientIDPattern.MatchString(id) || len(secret) > 256 {
		return Client{}, core.ErrInvalidClient
	}
	c, err = s.store.ClientByID(ctx, id)
	if errors.Is(err, core.ErrNotFound) {
		return Client{}, core.ErrInvalidClient
	}
	if err != nil {
		return Client{}, err
	}
	if c.AuthMethod == AuthPrivateKeyJWT { // a key, never a secret: not the bank door's
		return Client{}, core.ErrInvalidClient
	}
	if c.Public() {
		if secret != "" {
			return Client{}, core.ErrInvalidClient
		}
		return c, nil
	}
	if subtle.ConstantTimeCompare(core.HashSecret(secret), c.SecretHash) != 1 {
		return Client{}, core.ErrInvalidClient
	}
	return c, nil
}

// Allows reports whether the client may use the grant for the user type
// ("" user type: the grant's user type is the session's, already checked).
func (c Client) Allows(grant, userType string) bool {
	if !slices.Contains(c.GrantTypes, grant) {
		return false
	}
	return userType == "" || slices.Contains(c.UserTypes, userType)
}

// AllowsOrigin reports whether a browser at origin may use the client;
// an empty origin (no browser) and a client without a list always may.
func (c Client) AllowsOrigin(origin string) bool {
	return origin == "" || len(c.Origins) == 0 || slices.Contains(c.Origins, origin)
}

// Clients lists every client (for operators).
func (s *Service) Clients(ctx context.Context) ([]Client, error) {
	return s.store.ListClients(ctx)
}

// Purge deletes the sent codes and remembered ciphertexts that have
// expired; the server's maintenance runs it.
func (s *Service) Purge(ctx context.Context) error {
	return s.store.PurgeBank(ctx, s.now())
}
