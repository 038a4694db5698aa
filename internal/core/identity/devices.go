package identity

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// TrustDevice trusts the device of a complete bank session, named by its
// Device-Fingerprint. When the login recorded a fingerprint, the device
// must be that one (a stolen token cannot enrol another machine).
func (b *Bank) TrustDevice(ctx context.Context, p Principal, fingerprint, name string) (d Device, err error) {
	defer core.Op(&err, "Bank.TrustDevice")
	fingerprint = strings.TrimSpace(fingerprint)
	if fingerprint == "" || len(fingerprint) > 512 {
		return Device{}, core.Invalid("missing_fingerprint", "Device-Fingerprint", "the Device-Fingerprint header is required (at most 512 characters)")
	}
	if p.Session.Door != BankDoor {
		return Device{}, core.ErrForbidden
	}
	if rec := BankStateOf(p.Session).Device; rec != "" &&
		subtle.ConstantTimeCompare([]byte(rec), []byte(hex.EncodeToString(FingerprintHash(fingerprint)))) != 1 {
		return Device{}, core.Invalid("device_mismatch", "Device-Fingerprint", "this is not the device the session logged in from")
	}
	if name = strings.TrimSpace(name); name == "" {
		name = p.Session.UserAgent
	}
	now := b.now()
	d = Device{ID: uuid.NewString(), UserID: p.User.ID, FingerprintHash: FingerprintHash(fingerprint),
		Name: core.DisplayText(name, 200), CreatedAt: now, LastUsedAt: now}
	e := AuditEvent{Type: AuditDeviceTrusted, UserID: p.User.ID, Actor: UserActor(p.User.ID), Subject: d.ID,
		Detail: map[string]string{"name": d.Name}}
	if err := b.Core.audited(ctx, e, func(tx Store) error { return tx.AddDevice(ctx, &d) }); err != nil {
		return Device{}, err
	}
	return d, nil
}

// Devices lists the user's trusted devices.
func (b *Bank) Devices(ctx context.Context, userID int64) ([]Device, error) {
	return b.st().DevicesOf(ctx, userID)
}

// RemoveDevice stops trusting one of the user's devices; ErrNotFound when
// it is not theirs.
func (b *Bank) RemoveDevice(ctx context.Context, userID int64, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return core.ErrNotFound
	}
	e := AuditEvent{Type: AuditDeviceRemoved, UserID: userID, Actor: UserActor(userID), Subject: id}
	return b.Core.audited(ctx, e, func(tx Store) error { return tx.DeleteDevice(ctx, userID, id) })
}

// RevokeToken revokes the session of a bank access or refresh token of
// the client (RFC 7009). Unknown tokens and tokens of other clients are
// ignored, as the RFC asks, so the answer reveals nothing.
func (b *Bank) RevokeToken(ctx context.Context, c Client, token string) error {
	if token == "" || len(token) > 8192 {
		return nil
	}
	var sessionID string
	if strings.Count(token, ".") == 2 { // a JWT: the access token
		p, err := b.Core.VerifyAccess(ctx, token, VerifyOptions{AllowPending: true})
		if err != nil {
			return nil
		}
		sessionID = p.Session.ID
	} else {
		rt, err := b.st().RefreshTokenByHash(ctx, core.HashSecret(token))
		if err != nil {
			return nil
		}
		sessionID = rt.SessionID
	}
	s, err := b.st().SessionByID(ctx, sessionID)
	if err != nil || s.Door != BankDoor || s.ClientID != c.ID {
		return nil
	}
	return b.st().RevokeSession(ctx, sessionID, b.now())
}

// RememberCiphertext records a credential ciphertext's hash for
// Policy.CiphertextTTL; false when it was seen before (a replay).
func (b *Bank) RememberCiphertext(ctx context.Context, ciphertext []byte) (bool, error) {
	return b.st().RememberCiphertext(ctx, core.HashSecret("cred:"+string(ciphertext)), b.now().Add(b.Policy.CiphertextTTL))
}
