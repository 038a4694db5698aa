package web

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The sign-in (docs/pages.md "Sign-in"): the form encrypts the e-mail and
// the password in the browser with the bank door's credential key
// (RSA-OAEP SHA-256 through WebCrypto, assets/pages.js); the server opens
// them through the bank's one decryption and replay path and signs in
// through identity.Factors.SignIn, the JSON doors' call, with its lockout,
// dummy hash and second factor. An account with a factor gets the code
// step (/login/code), whose mfa_token waits in a short-lived cookie.

// mfaCookie holds the mfa_token between the password and the code step.
const mfaCookie = "mfa"

func (p *Pages) mountSignIn(mux *http.ServeMux) {
	p.Handle(mux, "GET /login", p.loginPage)
	p.Handle(mux, "POST /login", p.login)
	p.Handle(mux, "GET /login/code", p.codePage)
	p.Handle(mux, "POST /login/code", p.code)
	if p.Chain != nil {
		p.mountChain(mux)
	}
}

// loginView is the sign-in form's data.
type loginView struct {
	Continue string
	Email    string
	Key      string // the credential key, base64 SPKI DER, for WebCrypto's importKey
}

// credentialKey is the credential key as WebCrypto imports it (spki, base64).
func (p *Pages) credentialKey() string {
	b, _ := pem.Decode(p.CredentialPEM())
	if b == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b.Bytes)
}

func (p *Pages) loginPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	next := continuation(q.Get("continue"))
	if _, ok := p.principal(r); ok && q.Get("prompt") != "login" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	notice := ""
	switch {
	case q.Get("signed_out") != "":
		notice = "login.signed_out"
	case q.Get("reset") != "":
		notice = "reset.done"
	}
	p.Render(w, r, Page{Name: "login", Notice: notice, Data: loginView{Continue: next, Email: hint(q.Get("login_hint")), Key: p.credentialKey()}})
	return nil
}

// hint is a login_hint fit to pre-fill the e-mail field, "" otherwise.
func hint(s string) string {
	if len(s) > 254 || !core.IsText(s) {
		return ""
	}
	return s
}

func (p *Pages) limit(r *http.Request, e core.Endpoint, subject string) error {
	if p.Limit == nil {
		return nil
	}
	return p.Limit(r, e, subject)
}

// login checks the encrypted credentials. The request is limited per
// client before the RSA work (the bank door's step-1 limit: the same
// ciphertexts), and per login after it (the JSON doors' login limit).
func (p *Pages) login(w http.ResponseWriter, r *http.Request) error {
	next := continuation(r.PostFormValue("continue"))
	encLogin, encPassword := r.PostFormValue("login_enc"), r.PostFormValue("password_enc")
	again := func(email string, err error) error {
		errs, code, ok := p.formError(w, err, "password")
		if !ok {
			return err
		}
		p.Render(w, r, Page{Name: "login", Status: code, Errors: errs,
			Data: loginView{Continue: next, Email: hint(email), Key: p.credentialKey()}})
		return nil
	}
	if encLogin == "" || encPassword == "" {
		return again("", errNoScript)
	}
	if err := p.limit(r, core.EndpointBankLogin, ""); err != nil {
		return again("", err)
	}
	if err := p.Identity.HashCapacity(); err != nil {
		return again("", err)
	}
	login, password, ok := p.Credentials.OpenCredentials(r.Context(), encLogin, encPassword)
	if !ok {
		login = "" // fails as a wrong password does, after the same hash
	}
	if err := p.limit(r, core.EndpointLogin, identity.LookupKey(login)); err != nil {
		return again(login, err)
	}
	var pair identity.TokenPair
	var err error
	if p.Chain != nil {
		var l bank.Login
		l, err = p.Chain.StartChain(r.Context(), bank.Pages, login, password, spec(r), p.device(w, r))
		if err == nil && !l.Complete {
			return p.started(w, r, l, next)
		}
		pair = l.Pair
	} else {
		pair, _, err = p.Factors.SignIn(r.Context(), login, password, spec(r))
	}
	if err != nil {
		return p.signInFailed(w, r, login, next, err, again)
	}
	p.signedIn(w, r, pair, next)
	return nil
}

// signInFailed answers a refused password step: the code step of an
// account with a second factor (its mfa_token in a cookie), or the form
// again with the error.
func (p *Pages) signInFailed(w http.ResponseWriter, r *http.Request, login, next string, err error, again func(string, error) error) error {
	var mfa *core.MFARequired
	if errors.As(err, &mfa) {
		p.setCookie(w, mfaCookie, mfa.Token, int(p.Factors.Policy.ChallengeTTL.Seconds()))
		http.Redirect(w, r, "/login/code?continue="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	return again(login, err)
}

// signedIn ends the browser's previous web session, if any (a sign-in anew
// must not leave the old one behind), keeps the new one and continues.
func (p *Pages) signedIn(w http.ResponseWriter, r *http.Request, pair identity.TokenPair, next string) {
	p.endPrevious(r, pair.Session.ID)
	p.clearCookie(w, mfaCookie)
	p.startSession(w, pair)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// codeView is the factor step's data.
type codeView struct{ Continue string }

func (p *Pages) codePage(w http.ResponseWriter, r *http.Request) error {
	next := continuation(r.URL.Query().Get("continue"))
	if p.cookie(r, mfaCookie) == "" {
		http.Redirect(w, r, "/login?continue="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	p.Render(w, r, Page{Name: "login_code", Data: codeView{Continue: next}})
	return nil
}

// code completes a sign-in with a TOTP or recovery code
// (identity.Factors.CompleteSignIn, the JSON doors' second call).
func (p *Pages) code(w http.ResponseWriter, r *http.Request) error {
	next := continuation(r.PostFormValue("continue"))
	token := p.cookie(r, mfaCookie)
	if token == "" {
		http.Redirect(w, r, "/login?continue="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	again := func(err error) error {
		errs, code, ok := p.formError(w, err, "code")
		if !ok {
			return err
		}
		p.Render(w, r, Page{Name: "login_code", Status: code, Errors: errs, Data: codeView{Continue: next}})
		return nil
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" || len(code) > 64 {
		return again(core.Invalid("missing_field", "otp", "enter the code"))
	}
	if err := p.limit(r, core.EndpointLogin, ""); err != nil {
		return again(err)
	}
	pair, _, err := p.Factors.CompleteSignIn(r.Context(), token, code, spec(r))
	if errors.Is(err, core.ErrMFATokenInvalid) {
		p.clearCookie(w, mfaCookie)
		p.Render(w, r, Page{Name: "login", Status: http.StatusUnauthorized, Errors: map[string]string{"password": p.message(core.ErrMFATokenInvalid)},
			Data: loginView{Continue: next, Key: p.credentialKey()}})
		return nil
	}
	if err != nil {
		return again(err)
	}
	p.signedIn(w, r, pair, next)
	return nil
}
