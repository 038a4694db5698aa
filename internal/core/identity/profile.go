package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The owner's own profile: the name shown in mail and pages, and the
// locale mail and pages speak. The published APIs read them (the platform
// API's profile) but none writes them after sign-up; the personal cabinet
// does, through this call.

// ProfileUpdate changes the owner's profile; a nil field is left alone.
type ProfileUpdate struct {
	Name   *string // at most 200 bytes of text (core.CheckText), trimmed; "" clears it
	Locale *string // one of Policy.Locales
}

// UpdateProfile applies u to the user's profile and records
// `account.profile_updated` (detail: which fields) in the same
// transaction. KindInvalid errors name the field (invalid_text,
// invalid_name, invalid_locale), and nothing is written then;
// ErrNotFound when the user does not exist.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, u ProfileUpdate) (out User, err error) {
	defer core.Op(&err, "UpdateProfile")
	var fields []string
	if u.Name != nil {
		name := strings.TrimSpace(*u.Name)
		if err := core.CheckText("name", name); err != nil {
			return User{}, err
		}
		if len(name) > 200 {
			return User{}, core.Invalid("invalid_name", "name", "name must be valid text of at most 200 bytes")
		}
		u.Name, fields = &name, append(fields, "name")
	}
	if u.Locale != nil {
		if !slices.Contains(s.Policy.Locales, *u.Locale) {
			return User{}, core.Invalid("invalid_locale", "locale", "locale must be one of: "+strings.Join(s.Policy.Locales, ", "))
		}
		fields = append(fields, "locale")
	}
	if len(fields) == 0 {
		return s.User(ctx, userID)
	}
	e := AuditEvent{Type: AuditProfileUpdated, UserID: userID, Actor: ActorFor(ctx, userID), Detail: map[string]string{"fields": strings.Join(fields, ",")}}
	err = s.audited(ctx, e, func(tx Store) (err error) {
		out, err = tx.UpdateUser(ctx, userID, func(x *User) error {
			if u.Name != nil {
				x.Name = *u.Name
			}
			if u.Locale != nil {
				x.Locale = *u.Locale
			}
			x.UpdatedAt = s.now()
			return nil
		})
		return err
	})
	return out, err
}

// AuditProfileUpdated records the owner's change of name or locale
// (detail: which fields).
const AuditProfileUpdated = "account.profile_updated"
