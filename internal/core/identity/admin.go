package identity

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The operator's operations on accounts, shared by the admin API and the CLI.

// AdminCreateUser creates an account on an operator's behalf. Unlike
// Register it sends no mail and may mark the address confirmed.
func (s *Service) AdminCreateUser(ctx context.Context, r Registration, confirmed bool, roles []string) (u User, err error) {
	defer core.Op(&err, "AdminCreateUser")
	if roles, err = cleanRoles(roles); err != nil {
		return User{}, err
	}
	if u, err = s.newAccount(ctx, "email", r); err != nil {
		return User{}, err
	}
	u.Roles = roles
	now := u.CreatedAt
	if confirmed {
		u.EmailConfirmed = &now
	}
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEvent{Type: AuditAdminUserCreated, UserID: u.ID, Subject: u.Email})
	})
	return u, err
}

// RenameUser gives an account a new e-mail address on an operator's word
// (`gatehouse user rename`, which also resolves stored addresses that
// collide). The address is judged as at sign-up; ErrLoginTaken when
// another account has its key. A new mailbox is unconfirmed unless the
// operator vouches for it (confirmed); a new spelling of the same key
// keeps the account's state. The old address is told by mail, and the
// change is audited, in one transaction.
func (s *Service) RenameUser(ctx context.Context, id int64, email string, confirmed bool) (u User, err error) {
	defer core.Op(&err, "RenameUser")
	email = strings.TrimSpace(email)
	if err := ValidateEmail("email", email); err != nil {
		return User{}, err
	}
	err = s.store.Tx(ctx, func(tx Store) error {
		// Explicit, not only the unique index: a database whose addresses
		// collide has no index yet, and this is how it is repaired.
		switch other, err := tx.UserByEmail(ctx, email); {
		case errors.Is(err, core.ErrEmailAmbiguous), err == nil && other.ID != id:
			return core.ErrLoginTaken
		case err != nil && !errors.Is(err, core.ErrNotFound):
			return err
		}
		var old User
		now := s.now()
		if u, err = tx.UpdateUser(ctx, id, func(x *User) error {
			old = *x
			if LookupKey(x.Email) != LookupKey(email) {
				x.EmailConfirmed = nil // a new mailbox has not proven itself
			}
			if confirmed && x.EmailConfirmed == nil {
				x.EmailConfirmed = &now
			}
			x.Email, x.UpdatedAt = email, now
			return nil
		}); err != nil {
			return err
		}
		e := AuditEvent{Type: AuditAdminRenamed, UserID: id, Subject: email, Detail: map[string]string{"from": old.Email}}
		if err := s.Audit(ctx, tx, e); err != nil || old.Email == email {
			return err
		}
		return s.Mail.Queue(ctx, tx, old.Email, "email_changed", u.Locale, map[string]string{"email": old.Email, "new_email": email, "name": u.Name})
	})
	return u, err
}

// FindUser resolves an operator's reference: a numeric id, a UUID or an
// e-mail in any spelling (its key). ErrEmailAmbiguous when stored addresses
// collide and the reference is not one of them as stored.
func (s *Service) FindUser(ctx context.Context, ref string) (User, error) {
	if !core.IsText(ref) {
		return User{}, core.ErrNotFound
	}
	if id, ok := parseID(ref); ok {
		return s.store.UserByID(ctx, id)
	}
	if uuidRe.MatchString(ref) {
		return s.store.UserByUUID(ctx, ref)
	}
	return s.store.UserByEmail(ctx, ref)
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// ListUsers pages through accounts (limit 1–500, default 50).
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 || f.Offset < 0 {
		return nil, 0, core.Invalid("invalid_paging", "limit", "limit must be 1–500 and offset not negative")
	}
	return s.store.ListUsers(ctx, f)
}

// SetLocked locks or unlocks an account. Locking revokes every session.
func (s *Service) SetLocked(ctx context.Context, id int64, locked bool) (u User, err error) {
	defer core.Op(&err, "SetLocked")
	err = s.store.Tx(ctx, func(tx Store) error {
		now := s.now()
		u, err = tx.UpdateUser(ctx, id, func(x *User) error {
			x.LockedAt = nil
			if locked {
				x.LockedAt = &now
			}
			x.UpdatedAt = now
			return nil
		})
		if err != nil {
			return err
		}
		if !locked { // an unlock also lifts a lockout (lockout.go)
			if err := s.Audit(ctx, tx, AuditEvent{Type: AuditAdminUnlock, UserID: id, Subject: u.Email}); err != nil {
				return err
			}
			return s.clearLockout(ctx, tx, u)
		}
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditAdminLock, UserID: id, Subject: u.Email}); err != nil {
			return err
		}
		return tx.RevokeUserSessions(ctx, id, "", now)
	})
	return u, err
}

// SetRoles replaces the user's roles.
func (s *Service) SetRoles(ctx context.Context, id int64, roles []string) (User, error) {
	roles, err := cleanRoles(roles)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.store.Tx(ctx, func(tx Store) error {
		if u, err = tx.UpdateUser(ctx, id, func(x *User) error {
			x.Roles = roles
			x.UpdatedAt = s.now()
			return nil
		}); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEvent{Type: AuditAdminRoles, UserID: id, Subject: u.Email, Detail: map[string]string{"roles": strings.Join(roles, ",")}})
	})
	return u, err
}

// DeleteUser removes the account and everything it owns.
func (s *Service) DeleteUser(ctx context.Context, id int64) error {
	return s.audited(ctx, AuditEvent{Type: AuditAdminDelete, UserID: id}, func(tx Store) error { return tx.DeleteUser(ctx, id) })
}

var roleRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.:-]{0,63}$`)

func cleanRoles(roles []string) ([]string, error) {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if !roleRe.MatchString(r) {
			return nil, core.Invalid("invalid_role", "roles", "role names are 1–64 letters, digits, _ . : - and start with a letter")
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) > 64 {
		return nil, core.Invalid("invalid_role", "roles", "at most 64 roles")
	}
	slices.Sort(out)
	return out, nil
}
