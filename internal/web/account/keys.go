package account

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// API keys (the cashdesk API's permanent keys, docs/cashdesk.md): the
// owner makes one with a name, scopes and an expiry, sees its secret once
// (in the element with data-secret), lists them with their last use and
// revokes them. Creating one needs a recent sign-in or the password
// (identity.CreateAPIKey's reauthentication), which the form encrypts.

type keyRow struct {
	ID, Name, Prefix, Scopes, Created, Expires, LastUsed string
	Active                                               bool
}

type keysView struct {
	Keys    []keyRow
	Scopes  []string // what a key may be limited to
	Picked  []string // the scopes of the form being shown again
	Name    string
	Expires string // the form's yyyy-mm-dd
	MinDate string // tomorrow, the earliest expiry the date field offers
	Secret  string // the new key's secret, shown once
	NewName string
	Key     string // the credential key the password field encrypts with
	// NeedPassword shows the password field: the sign-in is older than
	// GATEHOUSE_REAUTH_MAX_AGE, so the core will ask for it. Otherwise the
	// form has none (and needs no script); should the sign-in age between
	// the page and the POST, the core's refusal shows the field.
	NeedPassword  bool
	ReauthMinutes int // how recent a sign-in spares the password (GATEHOUSE_REAUTH_MAX_AGE)
}

func (x *pages) keysData(r *http.Request, pr identity.Principal) (keysView, error) {
	keys, err := x.p.Identity.APIKeys(r.Context(), pr.User.ID)
	if err != nil {
		return keysView{}, err
	}
	now := x.p.Identity.Now()
	v := keysView{Scopes: identity.APIKeyScopes, Key: x.p.CredentialKey(), MinDate: now.UTC().AddDate(0, 0, 1).Format(time.DateOnly),
		ReauthMinutes: int(x.p.Identity.Policy.ReauthMaxAge.Minutes())}
	maxAge := x.p.Identity.Policy.ReauthMaxAge
	v.NeedPassword = maxAge <= 0 || now.Sub(identity.AuthTime(pr.Session)) > maxAge
	for _, k := range keys {
		row := keyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: strings.Join(k.Scopes, ", "), Created: when(k.CreatedAt),
			Expires: whenPtr(k.ExpiresAt), LastUsed: whenPtr(k.LastUsedAt), Active: k.Active(now)}
		v.Keys = append(v.Keys, row)
	}
	return v, nil
}

func (x *pages) keys(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	v, err := x.keysData(r, pr)
	if err != nil {
		return err
	}
	x.render(w, r, "account_keys", 0, nil, v)
	return nil
}

// createKey makes a key (identity.CreateAPIKey) and shows its secret on
// the answer itself, never in a URL: the page is no-store, and a reload
// asks before posting again.
func (x *pages) createKey(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	name, expires := r.PostFormValue("name"), r.PostFormValue("expires")
	scopes := r.PostForm["scopes"]
	again := func(err error, field string) error {
		errs, code, ok := x.formError(w, err, field, map[string]string{"name": "name", "scopes": "scopes", "expires_at": "expires", "expires": "expires"})
		if !ok {
			return err
		}
		v, err := x.keysData(r, pr)
		if err != nil {
			return err
		}
		v.Name, v.Expires, v.Picked = name, expires, scopes
		v.NeedPassword = v.NeedPassword || field == "password"
		x.render(w, r, "account_keys", code, errs, v)
		return nil
	}
	spec := identity.APIKeySpec{Name: name, Scopes: scopes}
	if expires != "" {
		// A date: the key works through that whole day (UTC).
		d, err := time.Parse(time.DateOnly, expires)
		if err != nil {
			return again(core.Invalid("invalid_expiry", "expires", "expires must be a date"), "expires")
		}
		end := d.AddDate(0, 0, 1)
		spec.ExpiresAt = &end
	}
	// The password comes only when the form asked for it (NeedPassword);
	// without it the core judges the sign-in's age.
	pw := ""
	if r.PostFormValue("password_enc") != "" {
		if err := x.limit(r, pr); err != nil {
			return again(err, "password")
		}
		var err error
		if pw, err = x.password(r, "password_enc"); err != nil {
			return again(err, "password")
		}
	}
	k, secret, err := x.p.Identity.CreateAPIKey(r.Context(), identity.RecentAuth{Principal: pr, Password: pw}, spec)
	if err != nil {
		field := "name"
		if isCredentialError(err) || errors.Is(err, core.ErrReauthRequired) {
			field = "password"
		}
		return again(err, field)
	}
	v, err := x.keysData(r, pr)
	if err != nil {
		return err
	}
	v.Secret, v.NewName = secret, k.Name
	x.render(w, r, "account_keys", 0, nil, v)
	return nil
}

// revokeKey revokes one of the owner's keys (identity.RevokeAPIKey): an
// id that is not the owner's is not found.
func (x *pages) revokeKey(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	if err := x.p.Identity.RevokeAPIKey(r.Context(), pr.User.ID, r.PathValue("id")); err != nil {
		return err
	}
	return done(w, r, "/account/keys", "revoked")
}
