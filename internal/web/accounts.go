package web

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Sign-up, e-mail confirmation, and the password reset: each page makes
// the platform door's core call (docs/platform.md) under the same rate
// limit, so a page refuses, and tells, exactly what the API does.

// resetCookie carries a reset token from the mail's link to the form: the
// token leaves the URL (and the history, and any Referer) at once.
const resetCookie = "reset"

// resetCookieAge is how long that cookie lives, in seconds: enough to
// choose a password; the token itself expires on its own schedule.
const resetCookieAge = 15 * 60

func (p *Pages) mountAccounts(mux *http.ServeMux) {
	p.Handle(mux, "GET /register", p.registerPage)
	p.Handle(mux, "POST /register", p.register)
	p.Handle(mux, "POST /confirm", p.confirm)
	p.Handle(mux, "GET /forgot", p.forgotPage)
	p.Handle(mux, "POST /forgot", p.forgot)
	p.Handle(mux, "GET /reset", p.resetPage)
	p.Handle(mux, "POST /reset", p.reset)
}

// formView is the data of the one-form pages.
type formView struct {
	Email, Name string
	Key         string // the credential key for the password field, base64 SPKI
	Min         int    // the shortest password allowed
	Code        string // the confirmation code (the confirm page)
	Done        bool   // the form's work is done: show the result only
}

func (p *Pages) passwordForm(email, name string) formView {
	return formView{Email: email, Name: name, Key: p.credentialKey(), Min: p.PasswordMin}
}

func (p *Pages) registerPage(w http.ResponseWriter, r *http.Request) error {
	p.Render(w, r, Page{Name: "register", Data: p.passwordForm("", "")})
	return nil
}

// errPasswordSeal: the new-password field's ciphertext did not open (a
// stale key after a rotation, a replay): the person is asked to retry.
var errPasswordSeal = core.Invalid("password_unreadable", "password", "the encrypted password could not be read; send the form again")

// newPassword opens the encrypted new password of a form.
func (p *Pages) newPassword(r *http.Request) (string, error) {
	enc := r.PostFormValue("password_enc")
	if enc == "" {
		return "", errNoScript
	}
	pw, ok, err := p.Credentials.OpenPassword(r.Context(), enc)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errPasswordSeal
	}
	return pw, nil
}

func (p *Pages) register(w http.ResponseWriter, r *http.Request) error {
	email, name := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("name")
	again := func(err error) error {
		errs, code, ok := p.formError(w, err, "email")
		if !ok {
			return err
		}
		p.Render(w, r, Page{Name: "register", Status: code, Errors: errs, Data: p.passwordForm(hint(email), hint(name))})
		return nil
	}
	if err := p.limit(r, core.EndpointRegister, identity.LookupKey(email)); err != nil {
		return again(err)
	}
	password, err := p.newPassword(r)
	if err != nil {
		return again(err)
	}
	source := ""
	if len(p.Sources) > 0 {
		source = p.Sources[0]
	}
	u, err := p.Identity.Register(r.Context(), identity.Registration{Email: email, Password: password, Name: name,
		Locale: p.Lang(w, r), Source: source})
	if err != nil {
		return again(err)
	}
	p.Render(w, r, Page{Name: "registered", Status: http.StatusCreated, Data: formView{Email: u.Email}})
	return nil
}

// PrefersHTML reports whether a request's Accept header ranks text/html
// above JSON (RFC 9110 §12.5.1): a browser following a mailed link, not an
// API client (curl's */* and a JSON client's application/json are not).
func PrefersHTML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if len(accept) > 1024 {
		return false
	}
	html, json := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			q = parseQ(v)
		}
		switch mt {
		case "text/html":
			html = max(html, q)
		case "application/json":
			json = max(json, q)
		}
	}
	return html > 0 && html > json
}

// parseQ reads a weight (RFC 9110 §12.4.2): 0 to 1, three decimals at most.
func parseQ(v string) float64 {
	switch {
	case v == "1" || strings.HasPrefix(v, "1."):
		return 1
	case v == "0" || !strings.HasPrefix(v, "0.") || len(v) > 5:
		return 0
	}
	q := 0.0
	scale := 0.1
	for _, c := range v[2:] {
		if c < '0' || c > '9' {
			return 0
		}
		q += float64(c-'0') * scale
		scale /= 10
	}
	return q
}

// ConfirmPage is the page of the confirmation mail's link
// (GET /v1/user/confirm/{code}, served by the platform door when the
// browser asks for HTML): it confirms nothing by itself, since mail
// scanners open every link, and asks for a press of Confirm (a POST with
// the CSRF token).
func (p *Pages) ConfirmPage() http.Handler {
	return p.Wrap(func(w http.ResponseWriter, r *http.Request) error {
		code := r.PathValue("code")
		if len(code) > 128 || !core.IsText(code) {
			return core.ErrCodeInvalid
		}
		p.Render(w, r, Page{Name: "confirm", Data: formView{Code: code}})
		return nil
	})
}

// confirm spends the confirmation code (the platform door's call and limit).
func (p *Pages) confirm(w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("code")
	if err := p.limit(r, core.EndpointConfirm, ""); err != nil {
		return err
	}
	if _, err := p.Identity.ConfirmEmail(r.Context(), code); err != nil {
		return err
	}
	p.Render(w, r, Page{Name: "confirm", Data: formView{Done: true}})
	return nil
}

func (p *Pages) forgotPage(w http.ResponseWriter, r *http.Request) error {
	p.Render(w, r, Page{Name: "forgot", Data: formView{}})
	return nil
}

// forgot asks for a reset mail. Its answer is the same for every
// well-formed address, known or not (the API's: docs/platform.md).
func (p *Pages) forgot(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	again := func(err error) error {
		errs, code, ok := p.formError(w, err, "email")
		if !ok {
			return err
		}
		p.Render(w, r, Page{Name: "forgot", Status: code, Errors: errs, Data: formView{Email: hint(email)}})
		return nil
	}
	if err := p.limit(r, core.EndpointRestore, identity.LookupKey(email)); err != nil {
		return again(err)
	}
	if err := p.Identity.RequestPasswordReset(r.Context(), email); err != nil {
		return again(err)
	}
	p.Render(w, r, Page{Name: "forgot", Data: formView{Email: identity.LookupKey(email), Done: true}})
	return nil
}

// resetPage takes the mail's token out of the URL into a short-lived
// cookie and sends the browser to /reset without it; there it shows the
// form, or, without a token, says the link is spent.
func (p *Pages) resetPage(w http.ResponseWriter, r *http.Request) error {
	if tok := r.URL.Query().Get("token"); tok != "" {
		if len(tok) <= 128 && core.IsText(tok) {
			p.setCookie(w, resetCookie, tok, resetCookieAge)
		}
		http.Redirect(w, r, "/reset", http.StatusSeeOther)
		return nil
	}
	if p.cookie(r, resetCookie) == "" {
		p.Render(w, r, Page{Name: "reset", Status: http.StatusBadRequest, Notice: "reset.missing", Data: formView{Done: true}})
		return nil
	}
	p.Render(w, r, Page{Name: "reset", Data: p.passwordForm("", "")})
	return nil
}

// reset sets the new password (the platform door's call: every session,
// API key and trusted device of the account is revoked, docs/platform.md).
func (p *Pages) reset(w http.ResponseWriter, r *http.Request) error {
	token := p.cookie(r, resetCookie)
	spent := func() error {
		p.clearCookie(w, resetCookie)
		p.Render(w, r, Page{Name: "reset", Status: http.StatusBadRequest, Notice: "reset.missing", Data: formView{Done: true}})
		return nil
	}
	if token == "" {
		return spent()
	}
	again := func(err error) error {
		errs, code, ok := p.formError(w, err, "password")
		if !ok {
			return err
		}
		p.Render(w, r, Page{Name: "reset", Status: code, Errors: errs, Data: p.passwordForm("", "")})
		return nil
	}
	if err := p.limit(r, core.EndpointReset, ""); err != nil {
		return again(err)
	}
	password, err := p.newPassword(r)
	if err != nil {
		return again(err)
	}
	if _, err := p.Identity.ResetPassword(r.Context(), token, password, true); err != nil {
		if errors.Is(err, core.ErrCodeInvalid) {
			return spent()
		}
		return again(err)
	}
	p.clearCookie(w, resetCookie)
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
	return nil
}
