package bank

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// TrustDevice trusts the device of a complete bank or web session, named
// by its Device-Fingerprint (the pages': their device cookie). When the
// login recorded a fingerprint, the device must be that one (a stolen
// token cannot enrol another machine). ErrForbidden for a session of
// another door.
func (b *Service) TrustDevice(ctx context.Context, p identity.Principal, fingerprint, name string) (d identity.Device, err error) {
	defer core.Op(&err, "bank.TrustDevice")
	fingerprint = strings.TrimSpace(fingerprint)
	if fingerprint == "" || len(fingerprint) > 512 {
		return identity.Device{}, core.Invalid("missing_fingerprint", "Device-Fingerprint", "the Device-Fingerprint header is required (at most 512 characters)")
	}
	if (p.Session.Door != Door && p.Session.Door != identity.WebDoor) || p.Session.Pending {
		return identity.Device{}, core.ErrForbidden
	}
	if rec := StateOf(p.Session).Device; rec != "" &&
		subtle.ConstantTimeCompare([]byte(rec), []byte(hex.EncodeToString(identity.FingerprintHash(fingerprint)))) != 1 {
		return identity.Device{}, core.Invalid("device_mismatch", "Device-Fingerprint", "this is not the device the session logged in from")
	}
	if name = strings.TrimSpace(name); name == "" {
		name = p.Session.UserAgent
	}
	return b.Identity.TrustDevice(ctx, p.User.ID, fingerprint, name)
}

// RevokeToken revokes the session of a bank access or refresh token of
// the client (RFC 7009). Unknown tokens and tokens of other clients are
// ignored, as the RFC asks, so the answer reveals nothing.
func (b *Service) RevokeToken(ctx context.Context, c Client, token string) error {
	if h, err := b.handle(token); err == nil {
		token = h // a refresh JWT of this door: its handle (an access JWT does not unwrap and stays)
	}
	s, err := b.Identity.SessionOfToken(ctx, token)
	if err != nil || s.Door != Door || s.ClientID != c.ID {
		return nil
	}
	return b.Identity.RevokeByToken(ctx, s, c.ID, "token revoked (RFC 7009)")
}
