package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// sessionOpened runs in StartSession's transaction, before the session is
// stored: it records the sign-in, forgets the failures of this login from
// this IP (the owner got in), and mails the user when the device is new.
func (s *Service) sessionOpened(ctx context.Context, tx Store, u User, sess Session) error {
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
	if err := s.Audit(ctx, tx, AuditEvent{Type: typ, UserID: u.ID, Actor: UserActor(u.ID), Subject: sess.ID,
		IP: sess.IP, UserAgent: sess.UserAgent, Detail: detail}); err != nil {
		return err
	}
	if sess.Door == ExternalDoor {
		return s.Mail.Queue(ctx, tx, u.Email, "external_token", u.Locale, mintedMail(ctx, u, sess.CreatedAt,
			map[string]string{"audience": sess.Audience}))
	}
	// A pending session (the bank's step 1) has not proven the owner yet:
	// its factor codes still count, and the pair is cleared when the chain
	// completes (Bank.open).
	if !sess.Pending {
		if err := s.clearPair(ctx, tx, u, sess.IP); err != nil {
			return err
		}
	}
	if !s.Security.NewDeviceMail {
		return nil
	}
	return s.newDeviceMail(ctx, tx, u, sess)
}

// stepOpened runs in the transaction of a session that takes over prev
// (the bank door's next step): it ends prev, refusing one already ended
// (a step replayed or raced: ErrInvalidToken), and records the step's
// events; a completed chain clears the failures of the login from the
// session's IP, as a sign-in does.
func (s *Service) stepOpened(ctx context.Context, tx Store, u User, prev, sess Session, events []AuditEvent) error {
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
	if sess.Pending {
		return nil
	}
	return s.clearPair(ctx, tx, u, sess.IP)
}

// DeviceKey names the device of a sign-in: its user agent and network
// (/24 or /48, see network), hashed to a fixed length for the index.
func DeviceKey(userAgent, ip string) string {
	h := sha256.Sum256([]byte(userAgent + "\x00" + network(ip)))
	return hex.EncodeToString(h[:16])
}

// clearPair forgets the failures of the user's login from ip: the owner
// got in from there.
func (s *Service) clearPair(ctx context.Context, tx Store, u User, ip string) error {
	if s.Security.PairThreshold <= 0 || ip == "" {
		return nil
	}
	return tx.ClearAttempts(ctx, pairKey(u.Email, ip))
}

// newDeviceMail tells the user of a sign-in from a device not seen before:
// no earlier session shares its user agent and network (sess.Device). The
// very first sign-in is not news.
func (s *Service) newDeviceMail(ctx context.Context, tx Store, u User, sess Session) error {
	signedIn, seen, err := tx.DeviceSeen(ctx, u.ID, sess.Device)
	if err != nil || !signedIn || seen {
		return err
	}
	device, ip := sess.UserAgent, sess.IP
	if device == "" {
		device = "unknown"
	}
	if ip == "" {
		ip = "unknown"
	}
	return s.Mail.Queue(ctx, tx, u.Email, "new_device", u.Locale, map[string]string{
		"device": device, "ip": ip, "time": sess.CreatedAt.UTC().Format(time.RFC1123), "email": u.Email, "name": u.Name,
	})
}
