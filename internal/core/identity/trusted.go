package identity

import (
	"bytes"
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Trusted devices: a browser or phone the account's owner trusts, named by
// its Device-Fingerprint header, of which only a hash is kept. The bank
// door's chains let a trusted device stand in for the factors when a role
// allows it (the bank domain judges when a device may be trusted); a
// password reset forgets every one (revocation.go).

// FingerprintHash is how a Device-Fingerprint header is kept.
func FingerprintHash(fp string) []byte {
	if fp == "" {
		return nil
	}
	return core.HashSecret("device:" + fp)
}

// TrustDevice trusts the device named by fingerprint for the user, under
// name (sanitised, at most 200 bytes); the same device again refreshes its
// name and last use. Audited in the same transaction.
func (s *Service) TrustDevice(ctx context.Context, userID int64, fingerprint, name string) (d Device, err error) {
	defer core.Op(&err, "TrustDevice")
	now := s.now()
	d = Device{ID: uuid.NewString(), UserID: userID, FingerprintHash: FingerprintHash(fingerprint),
		Name: core.DisplayText(name, 200), CreatedAt: now, LastUsedAt: now}
	e := AuditEvent{Type: AuditDeviceTrusted, UserID: userID, Actor: UserActor(userID), Subject: d.ID,
		Detail: map[string]string{"name": d.Name}}
	if err := s.audited(ctx, e, func(tx Store) error { return tx.AddDevice(ctx, &d) }); err != nil {
		return Device{}, err
	}
	return d, nil
}

// Devices lists the user's trusted devices.
func (s *Service) Devices(ctx context.Context, userID int64) ([]Device, error) {
	return s.store.DevicesOf(ctx, userID)
}

// RemoveDevice stops trusting one of the user's devices; ErrNotFound when
// it is not theirs.
func (s *Service) RemoveDevice(ctx context.Context, userID int64, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return core.ErrNotFound
	}
	e := AuditEvent{Type: AuditDeviceRemoved, UserID: userID, Actor: UserActor(userID), Subject: id}
	return s.audited(ctx, e, func(tx Store) error { return tx.DeleteDevice(ctx, userID, id) })
}

// DeviceTrusted reports whether fingerprint names one of the user's
// trusted devices.
func (s *Service) DeviceTrusted(ctx context.Context, userID int64, fingerprint string) (bool, error) {
	if fingerprint == "" {
		return false, nil
	}
	d, err := s.store.DeviceByFingerprint(ctx, userID, FingerprintHash(fingerprint))
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil && bytes.Equal(d.FingerprintHash, FingerprintHash(fingerprint)), err
}
