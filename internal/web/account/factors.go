package account

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The authenticator app (TOTP, RFC 6238) and its recovery codes, through
// the JSON doors' calls (identity.Factors, door/factors): the owner gives
// the password, scans the QR code (drawn on the server, qr.go) or types
// the secret, proves the app with a code, and is shown the recovery codes
// once.

type factorsView struct {
	Enrolled      bool
	RecoveryLeft  int
	Key           string // the credential key the password field encrypts with
	Secret        string // base32, during an enrolment
	QR            any    // template.HTML of the QR code, during an enrolment
	Enrolment     string // the enrolment, sealed, carried by the confirmation form
	RecoveryCodes []string
}

func (x *pages) factorsData(r *http.Request, pr identity.Principal) (factorsView, error) {
	st, err := x.p.Factors.Status(r.Context(), pr.User.ID)
	if err != nil {
		return factorsView{}, err
	}
	confirmed, err := x.p.Factors.TOTPConfirmed(r.Context(), pr.User.ID)
	if err != nil {
		return factorsView{}, err
	}
	return factorsView{Enrolled: confirmed, RecoveryLeft: st.RecoveryCodesLeft, Key: x.p.CredentialKey()}, nil
}

func (x *pages) factors(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	v, err := x.factorsData(r, pr)
	if err != nil {
		return err
	}
	x.render(w, r, "account_factors", 0, nil, v)
	return nil
}

// factorsAgain shows the factors page again with err next to field, the
// password field of the form that failed.
func (x *pages) factorsAgain(w http.ResponseWriter, r *http.Request, pr identity.Principal, err error, field string) error {
	errs, code, ok := x.formError(w, err, field, nil)
	if !ok {
		return err
	}
	v, err := x.factorsData(r, pr)
	if err != nil {
		return err
	}
	x.render(w, r, "account_factors", code, errs, v)
	return nil
}

// beginTOTP makes a new secret (identity.Factors.BeginTOTP, after the
// re-entered password) and shows it with its QR code and the form for
// the first code.
func (x *pages) beginTOTP(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	again := func(err error) error { return x.factorsAgain(w, r, pr, err, "password") }
	if err := x.limit(r, pr); err != nil {
		return again(err)
	}
	pw, err := x.password(r, "password_enc")
	if err != nil {
		return again(err)
	}
	e, err := x.p.Factors.BeginTOTP(r.Context(), pr, pw)
	if err != nil {
		return again(err)
	}
	return x.showEnrolment(w, r, e, 0, nil)
}

// showEnrolment renders a pending enrolment. The confirmation form
// carries the secret and its URI sealed with the master key, so that a
// wrong code can show the same QR code again: the core keeps the secret
// sealed and gives it out only when it is made.
func (x *pages) showEnrolment(w http.ResponseWriter, r *http.Request, e identity.TOTPEnrolment, status int, errs map[string]string) error {
	qr, err := qrSVG(e.URL)
	if err != nil {
		return err
	}
	sealed, err := x.p.Sealer.Seal([]byte(e.Secret + "\n" + e.URL))
	if err != nil {
		return err
	}
	x.render(w, r, "account_totp", status, errs, factorsView{Secret: e.Secret, QR: qr, Enrolment: base64.RawURLEncoding.EncodeToString(sealed)})
	return nil
}

// enrolment opens the sealed enrolment of a confirmation form.
func (x *pages) enrolment(r *http.Request) (identity.TOTPEnrolment, bool) {
	b, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("enrolment"))
	if err != nil || len(b) > 1024 {
		return identity.TOTPEnrolment{}, false
	}
	plain, err := x.p.Sealer.Open(b)
	if err != nil {
		return identity.TOTPEnrolment{}, false
	}
	secret, url, ok := strings.Cut(string(plain), "\n")
	return identity.TOTPEnrolment{Secret: secret, URL: url}, ok
}

// confirmTOTP checks the app's first code (identity.Factors.ConfirmTOTP)
// and shows the recovery codes, once.
func (x *pages) confirmTOTP(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	code := strings.TrimSpace(r.PostFormValue("code"))
	var err error
	if code == "" || len(code) > 64 {
		err = core.Invalid("missing_field", "otp", "enter the code")
	} else if err = x.limit(r, pr); err == nil {
		var codes []string
		if codes, err = x.p.Factors.ConfirmTOTP(r.Context(), pr, code); err == nil {
			x.render(w, r, "account_recovery", 0, nil, factorsView{Enrolled: true, RecoveryCodes: codes})
			return nil
		}
	}
	errs, status, ok := x.formError(w, err, "code", nil)
	if !ok {
		return err
	}
	e, ok := x.enrolment(r)
	if !ok { // no pending enrolment to show again: start over
		v, err := x.factorsData(r, pr)
		if err != nil {
			return err
		}
		x.render(w, r, "account_factors", status, map[string]string{"password": errs["code"]}, v)
		return nil
	}
	return x.showEnrolment(w, r, e, status, errs)
}

// removeTOTP drops the authenticator and its recovery codes
// (identity.Factors.RemoveTOTP, after the re-entered password).
func (x *pages) removeTOTP(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	again := func(err error) error { return x.factorsAgain(w, r, pr, err, "remove_password") }
	if err := x.limit(r, pr); err != nil {
		return again(err)
	}
	pw, err := x.password(r, "remove_password_enc")
	if err != nil {
		return again(err)
	}
	if err := x.p.Factors.RemoveTOTP(r.Context(), pr, pw); err != nil {
		return again(err)
	}
	return done(w, r, "/account/factors", "totp_removed")
}
