package core

import (
	"context"
	"errors"
	"net/url"
)

// RequestPasswordReset mails a single-use reset token when the address
// belongs to an account. It answers the same for every well-formed address
// (no enumeration), and keeps that same reply for every address (the
// Idempotency-Key); the resend interval is keyed on the address string.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) (err error) {
	defer Op(&err, "RequestPasswordReset")
	email = NormalizeEmail(email)
	if err := ValidateEmail("email", email); err != nil {
		return err
	}
	if err := s.throttleMail(ctx, string(CodeResetPassword), email); err != nil {
		return err
	}
	return s.Store.Tx(ctx, func(tx Store) error {
		u, err := tx.UserByEmail(ctx, email)
		if errors.Is(err, ErrNotFound) {
			return keepReply(ctx, tx, email)
		}
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.InvalidateCodes(ctx, u.ID, CodeResetPassword, now); err != nil {
			return err
		}
		token := NewSecret()
		c := Code{Hash: HashSecret(token), Kind: CodeResetPassword, UserID: u.ID, Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(s.Policy.ResetTTL)}
		if err := tx.InsertCode(ctx, &c); err != nil {
			return err
		}
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditResetRequested, UserID: u.ID, Subject: u.Email}); err != nil {
			return err
		}
		if err := s.Mail.Queue(ctx, tx, u.Email, string(CodeResetPassword), u.Locale, map[string]string{
			"code": token, "link": s.Policy.PublicURL + "/v1/user/password/reset?token=" + url.QueryEscape(token), "email": u.Email, "name": u.Name,
		}); err != nil {
			return err
		}
		return keepReply(ctx, tx, email)
	})
}

// ResetPassword spends a reset token and sets a new password. The password
// is judged before the token is spent, so a weak password costs nothing.
// Every session of the user is revoked (whoever had the old password is
// out), the address counts as confirmed (the mail reached its owner), and
// the user is told by mail. ErrCodeInvalid for unknown, expired, used tokens.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (u User, err error) {
	defer Op(&err, "ResetPassword")
	if token == "" || len(token) > 128 {
		return User{}, ErrCodeInvalid
	}
	if err := s.Passwords.Check(password); err != nil {
		return User{}, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	err = s.Store.Tx(ctx, func(tx Store) error {
		now := s.now()
		c, err := tx.UseCode(ctx, CodeResetPassword, HashSecret(token), now)
		if err != nil {
			return err
		}
		u, err = tx.UpdateUser(ctx, c.UserID, func(x *User) error {
			x.PasswordHash = hash
			x.UpdatedAt = now
			if x.EmailConfirmed == nil {
				x.EmailConfirmed = &now
			}
			return nil
		})
		if errors.Is(err, ErrNotFound) {
			return ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditPasswordReset, UserID: u.ID, Actor: UserActor(u.ID)}); err != nil {
			return err
		}
		if err := s.clearLockout(ctx, tx, u); err != nil {
			return err
		}
		return s.passwordChanged(ctx, tx, u, "")
	})
	return u, err
}

// ChangePassword replaces the password of a signed-in user who proves the
// current one; other sessions than keep are revoked.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, keep string) (err error) {
	defer Op(&err, "ChangePassword")
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	ok, _, err := s.Hasher.Verify(ctx, u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		// Counted like a failed login: a stolen access token must not
		// become a password oracle.
		if err := s.recordFailure(ctx, u.Email, u, AuditPasswordChanged, map[string]string{"reason": "bad_password"}); err != nil {
			return err
		}
		return ErrInvalidCredentials
	}
	if err := s.Passwords.Check(next); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.Store.Tx(ctx, func(tx Store) error {
		u, err := tx.UpdateUser(ctx, userID, func(x *User) error {
			x.PasswordHash = hash
			x.UpdatedAt = s.now()
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditPasswordChanged, UserID: u.ID, Actor: UserActor(u.ID)}); err != nil {
			return err
		}
		return s.passwordChanged(ctx, tx, u, keep)
	})
}

// passwordChanged revokes the user's sessions but keep, spends pending reset
// tokens, and queues the notice mail, all in tx.
func (s *Service) passwordChanged(ctx context.Context, tx Store, u User, keep string) error {
	now := s.now()
	if err := tx.RevokeUserSessions(ctx, u.ID, keep, now); err != nil {
		return err
	}
	if err := tx.InvalidateCodes(ctx, u.ID, CodeResetPassword, now); err != nil {
		return err
	}
	return s.Mail.Queue(ctx, tx, u.Email, "password_changed", u.Locale, map[string]string{"email": u.Email, "name": u.Name})
}
