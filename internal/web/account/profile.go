package account

import (
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// The cabinet's first page: the profile (name, language), the e-mail
// address and its confirmation, and the password change.

type overviewView struct {
	Email, Name, Locale string
	Locales             []string
	Confirmed           bool
	Key                 string // the credential key (base64 SPKI) the password form encrypts with
}

func (x *pages) overviewData(pr identity.Principal) overviewView {
	u := pr.User
	return overviewView{Email: u.Email, Name: u.Name, Locale: u.Locale, Locales: web.Languages, Confirmed: u.Confirmed(), Key: x.p.CredentialKey()}
}

func (x *pages) overview(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	x.render(w, r, "account_profile", 0, nil, x.overviewData(pr))
	return nil
}

// saveProfile changes name and language (identity.UpdateProfile).
func (x *pages) saveProfile(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	name, locale := r.PostFormValue("name"), r.PostFormValue("locale")
	if _, err := x.p.Identity.UpdateProfile(r.Context(), pr.User.ID, identity.ProfileUpdate{Name: &name, Locale: &locale}); err != nil {
		errs, code, ok := x.formError(w, err, "name", same("name", "locale"))
		if !ok {
			return err
		}
		v := x.overviewData(pr)
		v.Name, v.Locale = name, locale
		x.render(w, r, "account_profile", code, errs, v)
		return nil
	}
	// The page speaks the new language from now on, unless a ?lang=
	// choice of this browser overrides it (web.Pages.Lang).
	return done(w, r, "/account", "profile")
}

// resend mails the confirmation link again (identity.ResendConfirmation,
// the platform API's resendEmail, with its one-mail-per-interval limit).
func (x *pages) resend(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	if pr.User.Confirmed() {
		return done(w, r, "/account", "resent")
	}
	if err := x.p.Identity.ResendConfirmation(r.Context(), pr.User.Email); err != nil {
		errs, code, ok := x.formError(w, err, "resend", nil)
		if !ok {
			return err
		}
		x.render(w, r, "account_profile", code, errs, x.overviewData(pr))
		return nil
	}
	return done(w, r, "/account", "resent")
}

// changePassword replaces the password (identity.ChangePassword, the
// cashdesk API's password change): both passwords arrive encrypted, the
// current one is judged as a sign-in is, every other session ends.
func (x *pages) changePassword(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	again := func(err error, field string) error {
		errs, code, ok := x.formError(w, err, field, nil)
		if !ok {
			return err
		}
		x.render(w, r, "account_profile", code, errs, x.overviewData(pr))
		return nil
	}
	if err := x.limit(r, pr); err != nil {
		return again(err, "current_password")
	}
	current, err := x.password(r, "current_enc")
	if err != nil {
		return again(err, "current_password")
	}
	next, err := x.password(r, "new_enc")
	if err != nil {
		return again(err, "new_password")
	}
	c := identity.PasswordChange{Current: current, Next: next, RevokeAPIKeys: r.PostFormValue("revoke_api_keys") == "on"}
	if err := x.p.Identity.ChangePassword(r.Context(), pr, c); err != nil {
		field := "current_password"
		if !isCredentialError(err) {
			field = "new_password" // the policy's refusals name the new one
		}
		return again(err, field)
	}
	return done(w, r, "/account", "password")
}

// isCredentialError reports whether err judged the current password (so
// it belongs next to that field) rather than the new one.
func isCredentialError(err error) bool {
	return errors.Is(err, core.ErrInvalidCredentials) || errors.Is(err, core.ErrTooManyAttempts) ||
		errors.Is(err, core.ErrAccountLocked) || errors.Is(err, web.ErrNoScript)
}
