package oauth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// DeviceGrant is the device authorization endpoint's answer (RFC 8628
// §3.2) before the door adds the verification URIs.
type DeviceGrant struct {
	DeviceCode string // 256 random bits, base64url
	UserCode   string // XXXX-XXXX
	ExpiresIn  time.Duration
	Interval   time.Duration
}

// AuthorizeDevice starts a device authorization for client (RFC 8628
// §3.1): the client must be registered with the device_code grant
// (ErrUnauthorizedClient); scope (openid when empty) must be offered by
// the server and allowed to the client (ErrInvalidScope). Only the codes'
// SHA-256 are kept.
func (s *Service) AuthorizeDevice(ctx context.Context, client bank.Client, scope string) (g DeviceGrant, err error) {
	defer core.Op(&err, "AuthorizeDevice")
	if !client.Allows(bank.GrantDeviceCode, "") {
		return DeviceGrant{}, core.ErrUnauthorizedClient
	}
	if scope, err = deviceScope(client, scope); err != nil {
		return DeviceGrant{}, err
	}
	now := s.now()
	e := identity.AuditEvent{Type: identity.AuditOAuthDevice, Actor: "client:" + client.ID, Subject: client.ID,
		Detail: map[string]string{"door": Door, "client_id": client.ID, "action": "requested", "scope": scope}}
	// A user code drawn twice while the first is stored (1 in 2.5e10 per
	// live code) is drawn again.
	for range 3 {
		device, user := core.NewSecret(), newUserCode()
		d := DeviceAuth{DeviceHash: core.HashSecret(device), UserHash: core.HashSecret(user), ClientID: client.ID,
			Scope: scope, Interval: s.Policy.DeviceInterval.Truncate(time.Second), CreatedAt: now,
			ExpiresAt: now.Add(s.Policy.DeviceTTL), Status: DevicePending}
		err = identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error { return tx.InsertDeviceAuth(ctx, &d) })
		switch {
		case err == nil:
			return DeviceGrant{DeviceCode: device, UserCode: FormatUserCode(user), ExpiresIn: s.Policy.DeviceTTL,
				Interval: d.Interval}, nil
		case !errors.Is(err, core.ErrExists):
			return DeviceGrant{}, err
		}
	}
	return DeviceGrant{}, err
}

// deviceScope checks a device request's scope: what the server offers and
// the client may ask for; openid is not required (a tool may want only
// an access token), and is what an absent scope means.
func deviceScope(c bank.Client, scope string) (string, error) {
	if strings.TrimSpace(scope) == "" {
		scope = ScopeOpenID
	}
	allowed := strings.Fields(c.Scope)
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(Scopes(), sc) || len(allowed) > 0 && !slices.Contains(allowed, sc) {
			return "", core.ErrInvalidScope.WithField("scope", "scope "+core.DisplayText(sc, 64)+" is unknown or not allowed to this client")
		}
	}
	return normalScope(scope), nil
}

// DeviceRequest is a pending device authorization as the verification
// page shows it to the person who typed its user code.
type DeviceRequest struct {
	UserCode  string // XXXX-XXXX
	Client    bank.Client
	Scope     []string
	ExpiresAt time.Time
}

// PendingDevice finds the pending, unexpired authorization of a typed user
// code (case, dashes and spaces ignored); ErrUserCode for anything else,
// alike, so the page tells nothing about codes it does not show.
func (s *Service) PendingDevice(ctx context.Context, typed string) (DeviceRequest, error) {
	code, ok := normalUserCode(typed)
	if !ok {
		return DeviceRequest{}, core.ErrUserCode
	}
	d, err := s.store.DeviceAuthByUserCode(ctx, core.HashSecret(code))
	switch {
	case errors.Is(err, core.ErrNotFound):
		return DeviceRequest{}, core.ErrUserCode
	case err != nil:
		return DeviceRequest{}, err
	case d.Status != DevicePending || !s.now().Before(d.ExpiresAt):
		return DeviceRequest{}, core.ErrUserCode
	}
	c, err := s.Client(ctx, d.ClientID)
	if err != nil { // the client was deleted meanwhile
		return DeviceRequest{}, core.ErrUserCode.With(err)
	}
	return DeviceRequest{UserCode: FormatUserCode(code), Client: c, Scope: strings.Fields(d.Scope), ExpiresAt: d.ExpiresAt}, nil
}

// DecideDevice records the answer of the person signed in as l to the
// authorization of a typed user code (RFC 8628 §3.3): approved, it may be
// redeemed by the device; for a client not marked skip_consent the
// approval is the consent to its scopes (recorded like the consent page's,
// GrantConsent), in the same transaction. ErrUserCode when the code names
// no pending request (answered meanwhile included).
func (s *Service) DecideDevice(ctx context.Context, typed string, l Login, approve bool) (err error) {
	defer core.Op(&err, "DecideDevice")
	req, err := s.PendingDevice(ctx, typed)
	if err != nil {
		return err
	}
	u, err := s.Identity.UserByUUID(ctx, l.AccountID)
	if err != nil {
		return err
	}
	code, _ := normalUserCode(typed)
	d := DeviceAuth{Status: DeviceDenied, UserID: u.ID, AuthTime: l.AuthTime.UTC(), AMR: l.AMR, ACR: l.ACR,
		BrowserSID: l.SessionID, UserAgent: l.UserAgent, IP: l.IP}
	if approve {
		d.Status = DeviceApproved
	}
	now := s.now()
	scope := strings.Join(req.Scope, " ")
	e := identity.AuditEvent{Type: identity.AuditOAuthDevice, UserID: u.ID, Actor: identity.UserActor(u.ID), Subject: req.Client.ID,
		IP: l.IP, UserAgent: l.UserAgent, Detail: map[string]string{"door": Door, "client_id": req.Client.ID, "action": d.Status, "scope": scope}}
	return identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		if err := tx.DecideDeviceAuth(ctx, core.HashSecret(code), &d, now); err != nil {
			if errors.Is(err, core.ErrNotFound) {
				return core.ErrUserCode.With(err)
			}
			return err
		}
		if !approve || req.Client.SkipConsent {
			return nil
		}
		return s.putConsent(ctx, tx, u.ID, req.Client.ID, scope, now)
	})
}

// putConsent adds scope to the user's consent to the client, in tx, with
// its audit row (GrantConsent's change).
func (s *Service) putConsent(ctx context.Context, tx Store, userID int64, clientID, scope string, now time.Time) error {
	c := Consent{UserID: userID, ClientID: clientID, Scope: scope, CreatedAt: now, UpdatedAt: now}
	if old, err := tx.ConsentOf(ctx, userID, clientID); err == nil {
		c.CreatedAt, c.Scope = old.CreatedAt, normalScope(old.Scope+" "+scope)
	} else if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	if err := tx.PutConsent(ctx, &c); err != nil {
		return err
	}
	return s.Identity.Audit(ctx, tx, identity.AuditEvent{Type: identity.AuditOAuthConsent, UserID: userID,
		Actor: identity.UserActor(userID), Subject: clientID, Detail: map[string]string{"action": "granted", "scope": scope}})
}

// DeviceToken is the token endpoint's device_code grant (RFC 8628 §3.4–
// 3.5) for an authenticated client. Each poll is recorded first; then,
// in this order: a device code not the client's (or unknown) is
// ErrInvalidGrant, one already redeemed ErrDeviceCodeReused, an expired
// one ErrExpiredToken, a denied one ErrAccessDenied, a pending one
// ErrSlowDown when polled too fast, else ErrAuthorizationPending. An
// approved one redeems once (the store decides among concurrent polls)
// and opens a core session per grant, like a code's redemption: a
// refresh token only with offline_access and the refresh_token grant, an
// id_token with openid.
func (s *Service) DeviceToken(ctx context.Context, client bank.Client, deviceCode string) (t Tokens, err error) {
	defer core.Op(&err, "DeviceToken")
	if !client.Allows(bank.GrantDeviceCode, "") {
		return Tokens{}, core.ErrUnauthorizedClient
	}
	if deviceCode == "" || len(deviceCode) > 256 {
		return Tokens{}, core.ErrInvalidGrant
	}
	hash, now := core.HashSecret(deviceCode), s.now()
	d, err := s.store.PollDeviceAuth(ctx, hash, now)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return Tokens{}, core.ErrInvalidGrant
	case err != nil:
		return Tokens{}, err
	case d.ClientID != client.ID:
		return Tokens{}, core.ErrInvalidGrant
	case d.Status == DeviceRedeemed:
		return Tokens{}, s.deviceReused(ctx, d)
	case !now.Before(d.ExpiresAt):
		return Tokens{}, core.ErrExpiredToken
	case d.Status == DeviceDenied:
		return Tokens{}, core.ErrAccessDenied
	case d.Status == DevicePending && d.SlowDown:
		return Tokens{}, core.ErrSlowDown
	case d.Status == DevicePending:
		return Tokens{}, core.ErrAuthorizationPending
	}
	first, err := s.store.RedeemDeviceAuth(ctx, hash, now)
	if err != nil {
		return Tokens{}, err
	}
	if !first { // another poll of the same code redeemed it meanwhile
		return Tokens{}, s.deviceReused(ctx, d)
	}
	return s.deviceGrant(ctx, client, d)
}

// deviceGrant opens the grant's session for an approval just redeemed.
func (s *Service) deviceGrant(ctx context.Context, client bank.Client, d DeviceAuth) (Tokens, error) {
	u, err := s.Identity.User(ctx, d.UserID)
	if err != nil || u.Locked() {
		return Tokens{}, core.ErrInvalidGrant.With(err)
	}
	attrs := identity.WithAuthTime(map[string]string{attrScope: d.Scope, attrAMR: strings.Join(d.AMR, " "),
		attrACR: d.ACR, attrSID: d.BrowserSID}, d.AuthTime)
	// The session is the device's: its address and agent are the poll's.
	caller := core.CallerOf(ctx)
	pair, err := s.Identity.StartSession(ctx, u, identity.SessionSpec{
		Door: Door, ClientID: client.ID, Audience: client.ID, Attrs: attrs, UserAgent: caller.UserAgent, IP: caller.IP,
		Life: client.RefreshTTL, AccessTTL: client.AccessTTL, Extra: accessClaims(client.ID, d.Scope),
	})
	if err != nil {
		return Tokens{}, err
	}
	e := identity.AuditEvent{Type: identity.AuditOAuthDevice, UserID: u.ID, Actor: "client:" + client.ID, Subject: pair.Session.ID,
		Detail: map[string]string{"door": Door, "client_id": client.ID, "action": "redeemed"}}
	if err := s.Identity.Audit(ctx, s.store, e); err != nil {
		return Tokens{}, err
	}
	return s.tokens(ctx, client, pair, "")
}

// deviceReused records a device code presented after its tokens were
// issued, and refuses it. What was issued stays: unlike an authorization
// code, a device code never leaves the device that asked for it.
func (s *Service) deviceReused(ctx context.Context, d DeviceAuth) error {
	e := identity.AuditEvent{Type: identity.AuditOAuthDevice, Outcome: identity.AuditRefused, UserID: d.UserID,
		Actor: "client:" + d.ClientID, Subject: d.ClientID, Detail: map[string]string{"door": Door, "client_id": d.ClientID, "action": "reused"}}
	if err := s.Identity.Audit(ctx, s.store, e); err != nil {
		return err
	}
	return core.ErrDeviceCodeReused
}
