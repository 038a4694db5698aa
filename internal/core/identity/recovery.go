package identity

import (
	"context"
	"errors"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/core"
)

// RequestPasswordReset mails a single-use reset token when the address
// belongs to an account. It answers the same for every well-formed address
// (no enumeration), and keeps that same reply for every address (the
// Idempotency-Key); the resend interval is keyed on the address string.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) (err error) {
	defer core.Op(&err, "RequestPasswordReset")
	if err := ValidateLogin("email", email); err != nil {
		return err
	}
	if err := s.throttleMail(ctx, string(CodeResetPassword), email); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx Store) error {
		u, err := tx.UserByEmail(ctx, email)
		if errors.Is(err, core.ErrNotFound) {
			return core.KeepReply(ctx, tx, email)
		}
		if err != nil {
			return err
		}
		if err := s.sendReset(ctx, tx, u); err != nil {
			return err
		}
		return core.KeepReply(ctx, tx, email)
	})
}

// sendReset replaces the user's reset tokens with a new one and queues
// its mail, through tx, with its audit row.
func (s *Service) sendReset(ctx context.Context, tx Store, u User) error {
	now := s.now()
	if err := tx.InvalidateCodes(ctx, u.ID, CodeResetPassword, now); err != nil {
		return err
	}
	token := core.NewSecret()
	c := Code{Hash: core.HashSecret(token), Kind: CodeResetPassword, UserID: u.ID, Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(s.Policy.ResetTTL)}
	if err := tx.InsertCode(ctx, &c); err != nil {
		return err
	}
	if err := s.Audit(ctx, tx, AuditEvent{Type: AuditResetRequested, UserID: u.ID, Subject: u.Email}); err != nil {
		return err
	}
	return s.Mail.Queue(ctx, tx, u.Email, string(CodeResetPassword), u.Locale, map[string]string{
		"code": token, "link": s.Policy.PublicURL + "/reset?token=" + url.QueryEscape(token), "email": u.Email, "name": u.Name,
	})
}

// ResetPassword spends a reset token and sets a new password. The password
// is judged before the token is spent, so a weak password costs nothing.
// Whoever had the old password, or a token or device it opened, is out:
// every session and every trusted device of the user goes, and every API
// key unless revokeAPIKeys is false (a till's key may survive its owner's
// forgotten password when the owner says so). The address counts as
// confirmed (the mail reached its owner), the lockout counters are
// cleared, and the user is mailed what was revoked; all of it in one
// transaction with its audit rows. ErrCodeInvalid for unknown, expired,
// used tokens.
func (s *Service) ResetPassword(ctx context.Context, token, password string, revokeAPIKeys bool) (u User, err error) {
	defer core.Op(&err, "ResetPassword")
	if token == "" || len(token) > 128 {
		return User{}, core.ErrCodeInvalid
	}
	if err := s.Passwords.Check(password, ""); err != nil { // the address once the token names the account
		return User{}, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	err = s.store.Tx(ctx, func(tx Store) error {
		now := s.now()
		c, err := tx.UseCode(ctx, CodeResetPassword, core.HashSecret(token), now)
		if err != nil {
			return err
		}
		u, err = tx.UpdateUser(ctx, c.UserID, func(x *User) error {
			if err := s.Passwords.Check(password, x.Email); err != nil {
				return err // the transaction rolls back: the token stays unused
			}
			x.PasswordHash = hash
			x.UpdatedAt = now
			if x.EmailConfirmed == nil {
				x.EmailConfirmed = &now
			}
			return nil
		})
		if errors.Is(err, core.ErrNotFound) {
			return core.ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		ctx := core.WithActor(ctx, UserActor(u.ID))
		what := revocation{event: AuditPasswordReset, apiKeys: revokeAPIKeys, devices: true}
		if err := s.passwordChanged(ctx, tx, u, what); err != nil {
			return err
		}
		return s.clearLockout(ctx, tx, u)
	})
	return u, err
}

// PasswordChange is a signed-in user's request to replace the password.
type PasswordChange struct {
	Current, Next string
	RevokeAPIKeys bool // also revoke every API key (they survive by default)
}

// ChangePassword replaces the password of the signed-in user of p, who
// proves the current one through Reauthenticate (the login's lockout,
// before any hashing: a stolen access token must not become a password
// oracle). Every session but p's is revoked, API keys only when asked;
// trusted devices stay (the owner is signed in and knows the password).
// ErrSessionRequired for an API key: a machine's credential changes no
// person's password, even with the current one.
func (s *Service) ChangePassword(ctx context.Context, p Principal, c PasswordChange) (err error) {
	defer core.Op(&err, "ChangePassword")
	if p.ViaAPIKey() {
		return core.ErrSessionRequired
	}
	u := p.User
	if err := s.Reauthenticate(ctx, u, c.Current); err != nil {
		return err
	}
	if err := s.Passwords.Check(c.Next, u.Email); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, c.Next)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx Store) error {
		u, err := tx.UpdateUser(ctx, u.ID, func(x *User) error {
			x.PasswordHash = hash
			x.UpdatedAt = s.now()
			return nil
		})
		if err != nil {
			return err
		}
		ctx := core.WithActor(ctx, UserActor(u.ID))
		what := revocation{event: AuditPasswordChanged, keep: p.Session.ID, apiKeys: c.RevokeAPIKeys}
		return s.passwordChanged(ctx, tx, u, what)
	})
}
