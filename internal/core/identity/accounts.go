package identity

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Registration is what a door collects to create an account.
type Registration struct {
	Email    string
	Password string
	Name     string
	Locale   string // empty: the first allowed locale
	Source   string // empty: the first allowed source
}

// pick returns v when allowed, the first allowed value when v is empty, and
// a KindInvalid error otherwise.
func pick(field, v string, allowed []string) (string, error) {
	if v == "" {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, v) {
		return "", core.Invalid("invalid_"+field, field, field+" must be one of: "+strings.Join(allowed, ", "))
	}
	return v, nil
}

// Register creates an unconfirmed account and queues the confirmation mail
// in the same transaction. Returns ErrLoginTaken when the e-mail is in use,
// KindInvalid errors for bad input (nothing is written then).
func (s *Service) Register(ctx context.Context, r Registration) (u User, err error) {
	defer core.Op(&err, "Register")
	if u, err = s.newAccount(ctx, "login", r); err != nil {
		return User{}, err
	}
	email := u.Email
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		if err := s.Audit(ctx, tx, AuditEvent{Type: AuditRegistered, UserID: u.ID, Subject: u.Email, Detail: map[string]string{"source": u.Source}}); err != nil {
			return err
		}
		if err := s.sendConfirmation(ctx, tx, u); err != nil {
			return err
		}
		return core.KeepReply(ctx, tx, u)
	})
	if err == nil {
		// The sign-up mail counts toward the resend interval like any other.
		_ = s.throttleMail(ctx, string(CodeConfirmEmail), email)
	}
	return u, err
}

// newAccount validates a registration (emailField names the e-mail's
// field on the wire) and returns the user to insert, password hashed.
// Nothing is written.
func (s *Service) newAccount(ctx context.Context, emailField string, r Registration) (User, error) {
	email := strings.TrimSpace(r.Email) // the spelling mail goes to; look-ups use its key
	if err := ValidateEmail(emailField, email); err != nil {
		return User{}, err
	}
	if err := s.Passwords.Check(r.Password, email); err != nil {
		return User{}, err
	}
	locale, err := pick("locale", r.Locale, s.Policy.Locales)
	if err != nil {
		return User{}, err
	}
	source, err := pick("source", r.Source, s.Policy.Sources)
	if err != nil {
		return User{}, err
	}
	if err := core.CheckText("name", r.Name); err != nil {
		return User{}, err
	}
	if len(r.Name) > 200 {
		return User{}, core.Invalid("invalid_name", "name", "name must be valid text of at most 200 bytes")
	}
	hash, err := s.Hasher.Hash(ctx, r.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	return User{Email: email, PasswordHash: hash, Name: r.Name, Locale: locale, Source: source, CreatedAt: now, UpdatedAt: now}, nil
}

// sendConfirmation makes a fresh confirmation code (superseding older ones)
// and queues the mail through tx.
func (s *Service) sendConfirmation(ctx context.Context, tx Store, u User) error {
	now := s.now()
	if err := tx.InvalidateCodes(ctx, u.ID, CodeConfirmEmail, now); err != nil {
		return err
	}
	code := core.NewSecret()
	c := Code{Hash: core.HashSecret(code), Kind: CodeConfirmEmail, UserID: u.ID, Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(s.Policy.ConfirmTTL)}
	if err := tx.InsertCode(ctx, &c); err != nil {
		return err
	}
	return s.Mail.Queue(ctx, tx, u.Email, string(CodeConfirmEmail), u.Locale, map[string]string{
		"code": code, "link": s.Policy.PublicURL + "/v1/user/confirm/" + code, "email": u.Email, "name": u.Name,
	})
}

// ConfirmEmail spends a confirmation code. ErrCodeInvalid for unknown,
// expired and used codes alike.
func (s *Service) ConfirmEmail(ctx context.Context, code string) (u User, err error) {
	defer core.Op(&err, "ConfirmEmail")
	if code == "" || len(code) > 128 {
		return User{}, core.ErrCodeInvalid
	}
	err = s.store.Tx(ctx, func(tx Store) error {
		c, err := tx.UseCode(ctx, CodeConfirmEmail, core.HashSecret(code), s.now())
		if err != nil {
			return err
		}
		u, err = tx.UpdateUser(ctx, c.UserID, func(u *User) error {
			if u.EmailConfirmed == nil {
				t := s.now()
				u.EmailConfirmed = &t
			}
			return nil
		})
		if errors.Is(err, core.ErrNotFound) {
			return core.ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEvent{Type: AuditEmailConfirmed, UserID: u.ID})
	})
	return u, err
}

// throttleMail allows one mail of kind per address per ResendInterval. The
// counter is keyed on the address's key, known account or not, so the
// answer does not tell whether an account exists and no second spelling
// of one address gets a second mail.
func (s *Service) throttleMail(ctx context.Context, kind, email string) error {
	if s.Policy.ResendInterval <= 0 {
		return nil
	}
	ok, retry, err := s.Limits.Allow(ctx, "mail:"+kind+":"+LookupKey(email), 1, s.Policy.ResendInterval)
	if err != nil {
		return err
	}
	if !ok {
		return core.RateLimited(retry)
	}
	return nil
}

// ResendConfirmation queues a new confirmation mail when the address belongs
// to an unconfirmed account; it answers the same for every address, and
// keeps the same reply (the address) for every address.
func (s *Service) ResendConfirmation(ctx context.Context, email string) (err error) {
	defer core.Op(&err, "ResendConfirmation")
	if err := ValidateLogin("email", email); err != nil {
		return err
	}
	if err := s.throttleMail(ctx, string(CodeConfirmEmail), email); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx Store) error {
		u, err := tx.UserByEmail(ctx, email)
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			return err
		}
		if err == nil {
			if err := s.resend(ctx, tx, u); err != nil {
				return err
			}
		}
		return core.KeepReply(ctx, tx, email)
	})
}

// resend is resendEmail's choice (docs/platform.md): the published API
// calls it a step of password recovery, Gatehouse's sign-up reads it as
// the confirmation's resending; both hold. While a reset is pending (a
// live reset token) the user is recovering a password: a new reset token
// is mailed (the earlier one stops working). Otherwise an unconfirmed
// address gets a new confirmation code, and a confirmed one nothing.
func (s *Service) resend(ctx context.Context, tx Store, u User) error {
	pending, err := tx.HasLiveCode(ctx, u.ID, CodeResetPassword, s.now())
	if err != nil {
		return err
	}
	switch {
	case pending:
		return s.sendReset(ctx, tx, u)
	case !u.Confirmed():
		return s.sendConfirmation(ctx, tx, u)
	}
	return nil
}

// ConfirmCode is GET /v1/user/confirm/{code} in both of its readings
// (docs/platform.md): a confirmation code confirms the address and is
// spent (CodeConfirmEmail); a live reset token is reported valid and kept
// for the reset that spends it (CodeResetPassword), so that a client of
// the published API's recovery reading can check the mailed code before
// asking for the new password. Anything else is ErrCodeInvalid.
func (s *Service) ConfirmCode(ctx context.Context, code string) (CodeKind, error) {
	_, err := s.ConfirmEmail(ctx, code)
	if !errors.Is(err, core.ErrCodeInvalid) {
		return CodeConfirmEmail, err
	}
	if _, err := s.store.LiveCode(ctx, CodeResetPassword, core.HashSecret(code), s.now()); err != nil {
		return "", err
	}
	return CodeResetPassword, nil
}

// EmailExists reports whether an account uses the address (the platform
// door's public sign-up check; rate-limited by the door).
func (s *Service) EmailExists(ctx context.Context, email string) (bool, error) {
	if err := ValidateLogin("email", email); err != nil {
		return false, err
	}
	_, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Profile returns the user and the addresses attached to it.
func (s *Service) Profile(ctx context.Context, userID int64) (User, []Address, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return User{}, nil, err
	}
	as, err := s.store.AddressesOf(ctx, userID)
	return u, as, err
}

// Addresses lists the user's blockchain addresses. A door that already
// holds the user (a verified Principal) asks only for these, instead of
// Profile reading the user a second time in the same request.
func (s *Service) Addresses(ctx context.Context, userID int64) ([]Address, error) {
	return s.store.AddressesOf(ctx, userID)
}

// AddAddress validates a blockchain address and attaches it to the user.
// Returns ErrAddressTaken when the user has it already.
func (s *Service) AddAddress(ctx context.Context, userID int64, address, name string) (a Address, err error) {
	defer core.Op(&err, "AddAddress")
	chain, err := ParseChainAddress(address)
	if err != nil {
		return Address{}, err
	}
	if err := core.CheckText("name", name); err != nil {
		return Address{}, err
	}
	if len(name) > 200 {
		return Address{}, core.Invalid("invalid_name", "name", "name must be valid text of at most 200 bytes")
	}
	a = Address{UserID: userID, Address: address, Chain: chain, Name: name, CreatedAt: s.now()}
	err = s.store.AddAddress(ctx, &a)
	return a, err
}

// RemoveAddress detaches the blockchain address with this id (Address.ID)
// from the user. ErrNotFound when the user has no address with it: another
// user's address is not found either, so an id tells nothing about whose it is.
func (s *Service) RemoveAddress(ctx context.Context, userID int64, id string) (err error) {
	defer core.Op(&err, "RemoveAddress")
	if id == "" || len(id) > 64 {
		return core.ErrNotFound
	}
	return s.store.DeleteAddress(ctx, userID, id)
}

// User returns the account with this id; ErrNotFound when there is none.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	return s.store.UserByID(ctx, id)
}
