package oauth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Tokens is a token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
type Tokens struct {
	Access    string
	ExpiresIn time.Duration
	Refresh   string // "" unless offline_access was granted
	IDToken   string // "" unless openid was granted
	Scope     string
}

// Session attributes of a grant's session: what its refreshes and
// userinfo need to know of the authorization.
const (
	attrScope = "scope"
	attrAMR   = "amr"
	attrACR   = "acr"
	attrSID   = "browser_sid"
)

// Exchange redeems an authorization code for client (RFC 6749 §4.1.3):
// the code must be the client's, unexpired and unused, redirectURI the one
// of the request, verifier match its PKCE challenge. It opens one core
// session per grant (identity's sign-in: audit, new-device mail, rotation
// of its refresh tokens). A code presented a second time revokes that
// session (§4.1.2) and is ErrCodeReused; every other refusal is
// ErrInvalidGrant or ErrPKCE.
func (s *Service) Exchange(ctx context.Context, client bank.Client, code, redirectURI, verifier string) (t Tokens, err error) {
	defer core.Op(&err, "Exchange")
	if code == "" || len(code) > 256 {
		return Tokens{}, core.ErrInvalidGrant
	}
	hash := core.HashSecret(code)
	c, first, err := s.store.RedeemCode(ctx, hash, s.now())
	switch {
	case errors.Is(err, core.ErrNotFound):
		return Tokens{}, core.ErrInvalidGrant
	case err != nil:
		return Tokens{}, err
	case !first && c.UsedAt != nil:
		return Tokens{}, s.codeReused(ctx, c)
	case !first: // expired
		return Tokens{}, core.ErrInvalidGrant
	case c.ClientID != client.ID || c.RedirectURI != redirectURI:
		return Tokens{}, core.ErrInvalidGrant
	}
	if err := verifyPKCE(c.Challenge, verifier); err != nil {
		return Tokens{}, err
	}
	u, err := s.Identity.User(ctx, c.UserID)
	if err != nil || u.Locked() {
		return Tokens{}, core.ErrInvalidGrant.With(err)
	}
	attrs := identity.WithAuthTime(map[string]string{attrScope: c.Scope, attrAMR: strings.Join(c.AMR, " "),
		attrACR: c.ACR, attrSID: c.BrowserSID}, c.AuthTime)
	pair, err := s.Identity.StartSession(ctx, u, identity.SessionSpec{
		Door: Door, ClientID: client.ID, Audience: client.ID, Attrs: attrs, UserAgent: c.UserAgent, IP: c.IP,
		Life: client.RefreshTTL, AccessTTL: client.AccessTTL, Extra: accessClaims(client.ID, c.Scope),
	})
	if err != nil {
		return Tokens{}, err
	}
	reused, err := s.store.BindCodeSession(ctx, hash, pair.Session.ID)
	if err != nil || reused { // presented again while this session opened
		c.SessionID = pair.Session.ID
		return Tokens{}, errors.Join(err, s.codeReused(ctx, c))
	}
	if err := s.stillConsented(ctx, client, c, pair.Session.ID); err != nil {
		return Tokens{}, err
	}
	return s.tokens(ctx, client, pair, c.Nonce)
}

// stillConsented refuses a code whose consent was revoked after it was
// issued, ending the session its redemption opened: checked after the
// session opens, so that a revocation either sees that session
// (RevokeConsent ends it) or is seen here.
func (s *Service) stillConsented(ctx context.Context, client bank.Client, c Code, sessionID string) error {
	if client.SkipConsent {
		return nil
	}
	missing, err := s.notGranted(ctx, c.UserID, client.ID, c.Scope)
	if err == nil && len(missing) == 0 {
		return nil
	}
	return errors.Join(err, s.Identity.EndSession(ctx, sessionID), core.ErrInvalidGrant)
}

// codeReused revokes what the code's first use issued and records it.
func (s *Service) codeReused(ctx context.Context, c Code) error {
	if c.SessionID != "" {
		if err := s.Identity.EndSession(ctx, c.SessionID); err != nil {
			return err
		}
	}
	e := identity.AuditEvent{Type: identity.AuditOAuthCodeReused, Outcome: identity.AuditRefused, UserID: c.UserID,
		Subject: c.SessionID, Detail: map[string]string{"door": Door, "client_id": c.ClientID}}
	if err := s.Identity.Audit(ctx, s.store, e); err != nil {
		return err
	}
	return core.ErrCodeReused
}

// accessClaims are the RFC 9068 §2.2 claims beyond identity's own.
func accessClaims(clientID, scope string) map[string]any {
	return map[string]any{"client_id": clientID, "scope": scope}
}

// tokens makes the response of a grant's pair: the refresh token only with
// offline_access and the refresh_token grant (OpenID Connect Core §11),
// the id_token with openid.
func (s *Service) tokens(ctx context.Context, client bank.Client, pair identity.TokenPair, nonce string) (Tokens, error) {
	scope := pair.Session.Attrs[attrScope]
	t := Tokens{Access: pair.Access, ExpiresIn: pair.ExpiresIn, Scope: scope}
	granted := strings.Fields(scope)
	if slices.Contains(granted, ScopeOfflineAccess) && client.Allows(bank.GrantRefreshToken, "") {
		t.Refresh = pair.Refresh
	}
	if slices.Contains(granted, ScopeOpenID) {
		var err error
		if t.IDToken, err = s.idToken(ctx, client, pair, nonce); err != nil {
			return Tokens{}, err
		}
	}
	return t, nil
}

// Refresh spends a refresh token of one of client's grants through
// identity's rotation (grace, reuse revoking the family); the new pair
// keeps the grant's scope. ErrInvalidGrant for any token that is not live
// or not this client's.
func (s *Service) Refresh(ctx context.Context, client bank.Client, refresh string) (Tokens, error) {
	if !client.Allows(bank.GrantRefreshToken, "") {
		return Tokens{}, core.ErrUnauthorizedClient
	}
	pair, err := s.Identity.Refresh(ctx, refresh, identity.RefreshOptions{
		Doors: []string{Door}, ClientID: client.ID, AccessTTL: client.AccessTTL,
		Extra: func(_ identity.User, sess identity.Session) map[string]any {
			return accessClaims(client.ID, sess.Attrs[attrScope])
		},
	})
	if errors.Is(err, core.ErrInvalidToken) {
		return Tokens{}, core.ErrInvalidGrant.With(err)
	}
	if err != nil {
		return Tokens{}, err
	}
	return s.tokens(ctx, client, pair, "")
}

// ClientCredentials issues a service client's own access token (RFC 6749
// §4.4): sub and client_id are the client, aud the resource it names
// (RFC 8707 resource, or audience), which must be one of its registered
// resources (ErrInvalidTarget otherwise; with none named, its only
// resource). No session, no refresh token: it lives AccessTTL.
func (s *Service) ClientCredentials(ctx context.Context, client bank.Client, scope string, resources []string) (Tokens, error) {
	if !client.Allows(bank.GrantClientCredentials, "") || client.Method() == bank.AuthNone {
		return Tokens{}, core.ErrUnauthorizedClient
	}
	aud := ""
	switch {
	case len(resources) > 1:
		return Tokens{}, core.ErrInvalidTarget.WithField("resource", "name one resource")
	case len(resources) == 1 && slices.Contains(client.Resources, resources[0]):
		aud = resources[0]
	case len(resources) == 0 && len(client.Resources) == 1:
		aud = client.Resources[0]
	default:
		return Tokens{}, core.ErrInvalidTarget
	}
	allowed := strings.Fields(client.Scope)
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(allowed, sc) {
			return Tokens{}, core.ErrInvalidScope.WithField("scope", "scope "+sc+" is not registered for this client")
		}
	}
	scope = normalScope(scope)
	now := s.now()
	ttl := cmpOr(client.AccessTTL, s.Identity.Policy.AccessTTL)
	access, err := s.Tokens.Sign(ctx, identity.Claims{Issuer: s.Policy.Issuer, Subject: client.ID, Audience: aud,
		IssuedAt: now, ExpiresAt: now.Add(ttl), ID: uuid.NewString(), Type: identity.AccessTokenType,
		Extra: accessClaims(client.ID, scope)})
	if err != nil {
		return Tokens{}, err
	}
	e := identity.AuditEvent{Type: identity.AuditOAuthClientToken, Actor: "client:" + client.ID, Subject: aud,
		Detail: map[string]string{"door": Door, "client_id": client.ID, "scope": scope}}
	if err := s.Identity.Audit(ctx, s.store, e); err != nil {
		return Tokens{}, err
	}
	return Tokens{Access: access, ExpiresIn: ttl, Scope: scope}, nil
}

func cmpOr(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}

// Refused records a refusal of the token endpoint (the audit of every
// grant and refusal, like the other doors).
func (s *Service) Refused(ctx context.Context, clientID, grant string, err error) {
	code := "server_error"
	var e *core.Error
	if errors.As(err, &e) {
		code = e.Code
	}
	ev := identity.AuditEvent{Type: identity.AuditOAuthRefused, Outcome: identity.AuditRefused, Subject: clientID,
		Detail: map[string]string{"door": Door, "client_id": clientID, "grant_type": grant, "error": code}}
	_ = s.Identity.Audit(ctx, s.store, ev) // the refusal stands whether or not its row is written
}
