package identity

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
)

// What a new password takes away. A reset is recovery: whoever held the
// old password may have made themselves at home (a session, a permanent
// API key, a device trusted to skip the factors), so all of it goes unless
// the owner keeps the keys on purpose. A change by the signed-in owner is
// routine: the other sessions go, keys only when asked, devices stay.

// revocation says what passwordChanged revokes besides the other sessions.
type revocation struct {
	event   string // the audit type of the change: password.reset or password.changed
	keep    string // the session that stays signed in ("" for none)
	apiKeys bool   // revoke every active API key
	devices bool   // forget every trusted device
}

// revoked is what a password change took away, for its audit row and mail.
type revoked struct {
	sessions int
	keys     []APIKey
	devices  []Device
}

// passwordChanged runs in the transaction tx that stored u's new password:
// it revokes what what names, spends pending reset tokens, writes the
// change's audit row (with the counts) and one row per revoked key and
// device, and queues the notice mail that lists them.
func (s *Service) passwordChanged(ctx context.Context, tx Store, u User, what revocation) error {
	r, err := s.revoke(ctx, tx, u, what)
	if err != nil {
		return err
	}
	if err := tx.InvalidateCodes(ctx, u.ID, CodeResetPassword, s.now()); err != nil {
		return err
	}
	detail := map[string]string{
		"sessions_revoked": strconv.Itoa(r.sessions),
		"api_keys_revoked": strconv.Itoa(len(r.keys)),
		"devices_removed":  strconv.Itoa(len(r.devices)),
	}
	if !what.apiKeys {
		detail["api_keys_revoked"] = "kept"
	}
	if err := s.Audit(ctx, tx, AuditEvent{Type: what.event, UserID: u.ID, Subject: u.Email, Detail: detail}); err != nil {
		return err
	}
	if err := s.auditRevoked(ctx, tx, u, r, what.event); err != nil {
		return err
	}
	return s.Mail.Queue(ctx, tx, u.Email, "password_changed", u.Locale, revokedMail(u, r))
}

// revoke takes away, in tx, what what names.
func (s *Service) revoke(ctx context.Context, tx Store, u User, what revocation) (r revoked, err error) {
	now := s.now()
	all, err := tx.SessionsOf(ctx, u.ID)
	if err != nil {
		return r, err
	}
	for _, x := range all {
		if x.Active(now) && x.ID != what.keep {
			r.sessions++
		}
	}
	if err := tx.RevokeUserSessions(ctx, u.ID, what.keep, now); err != nil {
		return r, err
	}
	if what.apiKeys {
		if r.keys, err = tx.RevokeAPIKeysOf(ctx, u.ID, now); err != nil {
			return r, err
		}
	}
	if what.devices {
		if r.devices, err = tx.DeleteDevicesOf(ctx, u.ID); err != nil {
			return r, err
		}
	}
	// The store returns them in no particular order; the mail lists them oldest first.
	slices.SortFunc(r.keys, func(a, b APIKey) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID)) })
	slices.SortFunc(r.devices, func(a, b Device) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID)) })
	return r, nil
}

// auditRevoked writes a key.revoked row per key and a device.removed row
// per device, naming the change that took them (reason).
func (s *Service) auditRevoked(ctx context.Context, tx Store, u User, r revoked, reason string) error {
	for _, k := range r.keys {
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditKeyRevoked, UserID: u.ID, Subject: k.ID,
			Detail: map[string]string{"reason": reason, "name": k.Name, "prefix": k.Prefix}}); err != nil {
			return err
		}
	}
	for _, d := range r.devices {
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditDeviceRemoved, UserID: u.ID, Subject: d.ID,
			Detail: map[string]string{"reason": reason, "name": d.Name}}); err != nil {
			return err
		}
	}
	return nil
}

// revokedMail is the password_changed mail's data: the account, and what
// was revoked (fields left out when nothing was), keys by name and shown
// prefix, devices by name, sessions by count. A device without a name (no
// name given, no User-Agent sent) is listed apart, by when it was trusted
// (unnamed_devices), so that the mail never hides one.
func revokedMail(u User, r revoked) map[string]string {
	data := map[string]string{"email": u.Email, "name": u.Name}
	if r.sessions > 0 {
		data["sessions"] = strconv.Itoa(r.sessions)
	}
	if len(r.keys) > 0 {
		names := make([]string, len(r.keys))
		for i, k := range r.keys {
			names[i] = k.Name + " (" + k.Prefix + "…)"
		}
		data["api_keys"] = strings.Join(names, ", ")
	}
	var named, unnamed []string
	for _, d := range r.devices {
		if strings.TrimSpace(d.Name) == "" {
			unnamed = append(unnamed, d.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
		} else {
			named = append(named, d.Name)
		}
	}
	if len(named) > 0 {
		data["devices"] = strings.Join(named, ", ")
	}
	if len(unnamed) > 0 {
		data["unnamed_devices"] = strings.Join(unnamed, ", ")
	}
	return data
}
