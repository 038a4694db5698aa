package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// sessionOpened stores a sign-in's session sess and its first refresh
// token rt with everything the sign-in records, in one call of the store
// (OpenSession: on PostgreSQL one statement): the audit row, the failures
// of this login from this IP forgotten (the owner got in), the mail to the
// user when the device is new (or, for an external token, always), and
// the user's last-seen time.
func (s *Service) sessionOpened(ctx context.Context, st Store, u User, sess Session, rt RefreshToken) error {
	typ := AuditLoginSucceeded
	if sess.Door == ExternalDoor {
		typ = AuditExternalToken
	}
	detail := map[string]string{"door": sess.Door}
	if sess.ClientID != "" {
		detail["client_id"] = sess.ClientID
	}
	if sess.Pending {
		detail["pending"] = "true"
	}
	e := s.auditEvent(ctx, AuditEvent{Type: typ, UserID: u.ID, Actor: UserActor(u.ID), Subject: sess.ID,
		IP: sess.IP, UserAgent: sess.UserAgent, Detail: detail})
	o := SessionOpening{Session: &sess, Refresh: &rt, Audit: &e, TouchedAt: sess.LastSeen}
	var err error
	switch {
	case sess.Door == ExternalDoor:
		o.Mail, err = s.prepareMail(u, "external_token", mintedMail(ctx, u, sess.CreatedAt,
			map[string]string{"audience": sess.Audience}))
	case s.Security.NewDeviceMail:
		// The store decides whether the device is new, and asks for the
		// mail when it may need it.
		o.NewDevice = func() (outbox.Message, error) {
			return s.Mail.Prepare(u.Email, "new_device", u.Locale, newDeviceData(u, sess))
		}
	}
	if err != nil {
		return err
	}
	// A pending session (the bank's step 1) has not proven the owner yet:
	// its factor codes still count, and the pair is cleared when the chain
	// completes (Bank.open).
	if sess.Door != ExternalDoor && !sess.Pending {
		o.Clear = s.pairToClear(u, sess.IP)
	}
	newDevice, err := st.OpenSession(ctx, &o)
	if err != nil {
		return err
	}
	if o.Mail != nil || newDevice {
		s.Mail.Wake()
	}
	return nil
}

// prepareMail renders and seals a mail to u for OpenSession to write.
func (s *Service) prepareMail(u User, kind string, data map[string]string) (*outbox.Message, error) {
	m, err := s.Mail.Prepare(u.Email, kind, u.Locale, data)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// stepOpened runs in the transaction tx of a session that takes over prev
// (the bank door's next step): it ends prev, refusing one already ended
// (a step replayed or raced: ErrInvalidToken), and records the step's
// events; a completed chain clears the failures of the login from the
// session's IP, as a sign-in does; then it stores sess and its first
// refresh token rt. Not a sign-in's hot path, so it stays a transaction
// of several statements: the parent's read-modify-write comes first.
func (s *Service) stepOpened(ctx context.Context, tx Store, u User, prev, sess Session, rt RefreshToken, events []AuditEvent) error {
	now := s.now()
	_, err := tx.UpdateSession(ctx, prev.ID, func(x *Session) error {
		if !x.Active(now) {
			return core.ErrInvalidToken
		}
		x.RevokedAt = &now
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := s.Audit(ctx, tx, e); err != nil {
			return err
		}
	}
	if !sess.Pending {
		if err := s.clearPair(ctx, tx, u, sess.IP); err != nil {
			return err
		}
	}
	if err := tx.CreateSession(ctx, &sess); err != nil {
		return err
	}
	if err := tx.InsertRefreshToken(ctx, &rt); err != nil {
		return err
	}
	// In the session's transaction: a write of its own would queue for
	// SQLite's lock a second time on every step (BENCHMARKS.md).
	return tx.TouchUser(ctx, u.ID, sess.LastSeen)
}

// DeviceKey names the device of a sign-in: its user agent and network
// (/24 or /48, see network), hashed to a fixed length for the index.
func DeviceKey(userAgent, ip string) string {
	h := sha256.Sum256([]byte(userAgent + "\x00" + network(ip)))
	return hex.EncodeToString(h[:16])
}

// pairToClear is the counter of the user's login from ip, forgotten when
// the owner got in from there; none when the pair is not counted.
func (s *Service) pairToClear(u User, ip string) []string {
	if s.Security.PairThreshold <= 0 || ip == "" {
		return nil
	}
	return []string{pairKey(u.Email, ip)}
}

// clearPair forgets the failures of the user's login from ip: the owner
// got in from there.
func (s *Service) clearPair(ctx context.Context, st Store, u User, ip string) error {
	keys := s.pairToClear(u, ip)
	if len(keys) == 0 {
		return nil
	}
	return st.ClearAttempts(ctx, keys...)
}

// newDeviceData is the new-device mail's fields: the user is told of a
// sign-in from a device not seen before (no earlier session shares its
// user agent and network, sess.Device); the store decides whether it is.
func newDeviceData(u User, sess Session) map[string]string {
	device, ip := sess.UserAgent, sess.IP
	if device == "" {
		device = "unknown"
	}
	if ip == "" {
		ip = "unknown"
	}
	return map[string]string{
		"device": device, "ip": ip, "time": sess.CreatedAt.UTC().Format(time.RFC1123), "email": u.Email, "name": u.Name,
	}
}
