package core

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// The operator's operations on accounts, shared by the admin API and the CLI.

// AdminCreateUser creates an account on an operator's behalf. Unlike
// Register it sends no mail and may mark the address confirmed.
func (s *Service) AdminCreateUser(ctx context.Context, r Registration, confirmed bool, roles []string) (u User, err error) {
	defer Op(&err, "AdminCreateUser")
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
	err = s.Store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEvent{Type: AuditAdminUserCreated, UserID: u.ID, Subject: u.Email})
	})
	return u, err
}

// FindUser resolves an operator's reference: a numeric id, a UUID or an e-mail.
func (s *Service) FindUser(ctx context.Context, ref string) (User, error) {
	if id, ok := parseID(ref); ok {
		return s.Store.UserByID(ctx, id)
	}
	if uuidRe.MatchString(ref) {
		return s.Store.UserByUUID(ctx, ref)
	}
	return s.Store.UserByEmail(ctx, ref)
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
		return nil, 0, Invalid("invalid_paging", "limit", "limit must be 1–500 and offset not negative")
	}
	return s.Store.ListUsers(ctx, f)
}

// SetLocked locks or unlocks an account. Locking revokes every session.
func (s *Service) SetLocked(ctx context.Context, id int64, locked bool) (u User, err error) {
	defer Op(&err, "SetLocked")
	err = s.Store.Tx(ctx, func(tx Store) error {
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
	err = s.Store.Tx(ctx, func(tx Store) error {
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
			return nil, Invalid("invalid_role", "roles", "role names are 1–64 letters, digits, _ . : - and start with a letter")
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) > 64 {
		return nil, Invalid("invalid_role", "roles", "at most 64 roles")
	}
	slices.Sort(out)
	return out, nil
}
