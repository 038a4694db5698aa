package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The bank-style steps of the sign-in (docs/pages.md "Companies and factor
// chains"): an account with customers picks one (/login/company), passes
// a factor chain of that membership's role (/login/chain: a mailed or
// texted code, an authenticator or recovery code), may trust the browser
// where the role allows, and enrols an authenticator when the role
// requires one it lacks (/login/enrol). Every step is the bank domain's
// own call on a web session (bank.Pages), so the lockout, the limits of
// sent codes, the audit rows and the trusted-device rule are the bank
// door's; the pages only keep the pending session's secret in a cookie.

// Chain is the bank domain's chain of steps (bank.Service), run here
// through bank.Pages.
type Chain interface {
	StartChain(ctx context.Context, v bank.Via, username, password string, spec identity.SessionSpec, fingerprint string) (bank.Login, error)
	Progress(ctx context.Context, v bank.Via, p identity.Principal, fingerprint string) (bank.Login, error)
	Choose(ctx context.Context, v bank.Via, p identity.Principal, customerID int64, fingerprint string) (bank.Login, error)
	Pass(ctx context.Context, v bank.Via, p identity.Principal, factor, code, fingerprint string) (bank.Login, error)
	Send(ctx context.Context, v bank.Via, p identity.Principal, factor string) (bank.OTPSent, error)
	BeginRequiredTOTP(ctx context.Context, v bank.Via, p identity.Principal) (identity.TOTPEnrolment, error)
	TrustDevice(ctx context.Context, p identity.Principal, fingerprint, name string) (identity.Device, error)
}

const (
	// stepCookie holds the secret of the pending web session of a chain
	// (its first refresh token, identity.StepBySecret) while it lasts.
	stepCookie = "step"
	// deviceCookie names this browser for trusted devices: a random value
	// the server made, sent as the chain's Device-Fingerprint.
	deviceCookie  = "device"
	deviceCookieS = 400 * 24 * 3600 // the longest life browsers keep (RFC 6265bis §5.5)
)

func (p *Pages) mountChain(mux *http.ServeMux) {
	p.Handle(mux, "GET /login/company", p.companyPage)
	p.Handle(mux, "POST /login/company", p.company)
	p.Handle(mux, "GET /login/chain", p.chainPage)
	p.Handle(mux, "POST /login/chain", p.pass)
	p.Handle(mux, "POST /login/chain/send", p.send)
	p.Handle(mux, "GET /login/enrol", p.enrolPage)
	p.Handle(mux, "POST /login/enrol", p.beginEnrol)
	p.Handle(mux, "POST /login/enrol/confirm", p.confirmEnrol)
}

// device is this browser's fingerprint, made and kept in a cookie when absent.
func (p *Pages) device(w http.ResponseWriter, r *http.Request) string {
	if v := p.cookie(r, deviceCookie); v != "" {
		return v
	}
	v := core.NewSecret()
	p.setCookie(w, deviceCookie, v, deviceCookieS)
	r.AddCookie(&http.Cookie{Name: p.cookieName(deviceCookie), Value: v})
	return v
}

// step is the pending chain this browser is in, when any.
func (p *Pages) step(r *http.Request) (identity.Principal, bool) {
	secret := p.cookie(r, stepCookie)
	if secret == "" || p.Chain == nil {
		return identity.Principal{}, false
	}
	pr, err := p.Identity.StepBySecret(r.Context(), identity.WebDoor, secret)
	if err != nil {
		return identity.Principal{}, false
	}
	return pr, true
}

// withStep runs h with the pending chain, or sends the browser back to
// the sign-in when there is none (expired, finished, never begun).
func (p *Pages) withStep(h func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		next := continuation(r.FormValue("continue"))
		pr, ok := p.step(r)
		if !ok {
			p.clearCookie(w, stepCookie)
			http.Redirect(w, r, "/login?continue="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
		return h(w, r, pr, next)
	}
}

// principalOf is the principal of a step's new session.
func principalOf(l bank.Login) identity.Principal {
	return identity.Principal{User: l.User, Session: l.Pair.Session}
}

// advance goes on from a step's answer: a complete chain signs the browser
// in (trusting it first when asked), a trusted device skips the chain, a
// required action leads to the enrolment, anything else to the chain page.
func (p *Pages) advance(w http.ResponseWriter, r *http.Request, l bank.Login, next string, trust bool) error {
	ctx := r.Context()
	if !l.Complete && l.CanSkip {
		var err error
		if l, err = p.Chain.Pass(ctx, bank.Pages, principalOf(l), bank.FactorDevice, "", p.device(w, r)); err != nil {
			return err
		}
	}
	if !l.Complete {
		p.setCookie(w, stepCookie, l.Pair.Refresh, 0)
		to := "/login/chain"
		if l.Membership == nil {
			to = "/login/company"
		} else if l.RequiredAction == bank.ActionConfigureTOTP {
			to = "/login/enrol"
		}
		http.Redirect(w, r, to+"?continue="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	p.clearCookie(w, stepCookie)
	if trust && l.Membership != nil && l.Membership.Role.DeviceSkip && !l.DeviceTrusted {
		if _, err := p.Chain.TrustDevice(ctx, principalOf(l), p.device(w, r), r.UserAgent()); err != nil {
			p.Log.WarnContext(ctx, "web: trusting the device", "err", err)
		}
	}
	if len(l.RecoveryCodes) > 0 { // shown once, before going on
		p.endPrevious(r, l.Pair.Session.ID)
		p.clearCookie(w, mfaCookie)
		p.startSession(w, l.Pair)
		p.Render(w, r, Page{Name: "login_recovery", Data: recoveryView{Continue: next, Codes: l.RecoveryCodes}})
		return nil
	}
	p.signedIn(w, r, l.Pair, next)
	return nil
}

// started goes on after the password of an account with customers: one
// customer is chosen at once, several are offered.
func (p *Pages) started(w http.ResponseWriter, r *http.Request, l bank.Login, next string) error {
	if len(l.Customers) == 1 {
		c, err := p.Chain.Choose(r.Context(), bank.Pages, principalOf(l), l.Customers[0].ID, p.device(w, r))
		if err != nil {
			p.setCookie(w, stepCookie, l.Pair.Refresh, 0)
			return p.companyAgain(w, r, principalOf(l), next, err)
		}
		return p.chosen(w, r, c, next)
	}
	return p.advance(w, r, l, next, false)
}

// companyView is the picker's data.
type companyView struct {
	Continue  string
	Customers []bank.Customer
}

func (p *Pages) companyPage(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		return p.companyAgain(w, r, pr, next, nil)
	})(w, r)
}

// companyAgain shows the picker, with err next to the field when any.
func (p *Pages) companyAgain(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string, err error) error {
	l, lerr := p.Chain.Progress(r.Context(), bank.Pages, pr, p.device(w, r))
	if lerr != nil {
		return p.restart(w, r, next, lerr)
	}
	pg := Page{Name: "login_company", Data: companyView{Continue: next, Customers: l.Customers}}
	if err != nil {
		errs, code, ok := p.formError(w, err, "company")
		if !ok {
			return err
		}
		pg.Status, pg.Errors = code, errs
	}
	p.Render(w, r, pg)
	return nil
}

func (p *Pages) company(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		id, err := strconv.ParseInt(r.PostFormValue("company"), 10, 64)
		if err != nil || id <= 0 {
			return p.companyAgain(w, r, pr, next, core.Invalid("missing_field", "company", "choose a company"))
		}
		if err := p.limit(r, core.EndpointBankCustomer, identity.LookupKey(pr.User.Email)); err != nil {
			return p.companyAgain(w, r, pr, next, err)
		}
		l, err := p.Chain.Choose(r.Context(), bank.Pages, pr, id, p.device(w, r))
		if err != nil {
			return p.companyAgain(w, r, pr, next, err)
		}
		return p.chosen(w, r, l, next)
	})(w, r)
}

// chosen goes on after a customer is chosen; when the one factor due is a
// sent code, it is sent at once (the person asked for this chain).
func (p *Pages) chosen(w http.ResponseWriter, r *http.Request, l bank.Login, next string) error {
	if due := l.NextFactors(); !l.Complete && !l.CanSkip && l.RequiredAction == "" && len(due) == 1 && sentFactor(due[0]) {
		if _, err := p.Chain.Send(r.Context(), bank.Pages, principalOf(l), due[0]); err != nil {
			p.Log.InfoContext(r.Context(), "web: the first code was not sent", "err", err) // the page offers to send it
		} else {
			p.setCookie(w, stepCookie, l.Pair.Refresh, 0)
			http.Redirect(w, r, "/login/chain?sent="+due[0]+"&continue="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
	}
	return p.advance(w, r, l, next, false)
}

// restart answers a step that cannot go on (its role changed, the session
// ended): the sign-in again, with the reason next to the password.
func (p *Pages) restart(w http.ResponseWriter, r *http.Request, next string, err error) error {
	errs, code, ok := p.formError(w, err, "password")
	if !ok {
		return err
	}
	p.clearCookie(w, stepCookie)
	p.Render(w, r, Page{Name: "login", Status: code, Errors: map[string]string{"password": errs["password"]},
		Data: loginView{Continue: next, Key: p.credentialKey()}})
	return nil
}

func sentFactor(f string) bool { return f == bank.FactorEmail || f == bank.FactorSMS }

// endPrevious ends the browser's complete web session other than keep.
func (p *Pages) endPrevious(r *http.Request, keep string) {
	if old, ok := p.principal(r); ok && old.Session.ID != keep {
		if err := p.Identity.Logout(r.Context(), old.Session.ID); err != nil {
			p.Log.WarnContext(r.Context(), "web: ending the previous session", "err", err)
		}
	}
}

// recoveryView is the recovery codes' page.
type recoveryView struct {
	Continue string
	Codes    []string
}

// enrolView is the required action's page: the button before the
// enrolment, the QR code, secret and code form after it.
type enrolView struct {
	Continue  string
	Role      string
	Secret    string
	QR        template.HTML
	Enrolment string // the secret and its URI sealed with the master key
}

func (p *Pages) enrolPage(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		l, err := p.Chain.Progress(r.Context(), bank.Pages, pr, p.device(w, r))
		if err != nil {
			return p.restart(w, r, next, err)
		}
		if l.RequiredAction != bank.ActionConfigureTOTP {
			http.Redirect(w, r, "/login/chain?continue="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
		p.Render(w, r, Page{Name: "login_enrol", Data: enrolView{Continue: next, Role: l.State.RoleCode}})
		return nil
	})(w, r)
}

func (p *Pages) beginEnrol(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		e, err := p.Chain.BeginRequiredTOTP(r.Context(), bank.Pages, pr)
		if err != nil {
			return p.restart(w, r, next, err)
		}
		return p.showRequired(w, r, next, e, 0, nil)
	})(w, r)
}

// showRequired renders a begun enrolment; the form carries it sealed, so
// that a wrong code shows the same QR code again (as the cabinet does).
func (p *Pages) showRequired(w http.ResponseWriter, r *http.Request, next string, e identity.TOTPEnrolment, status int, errs map[string]string) error {
	qr, err := QRCode(e.URL)
	if err != nil {
		return err
	}
	sealed, err := p.sealText(e.Secret + "\n" + e.URL)
	if err != nil {
		return err
	}
	p.Render(w, r, Page{Name: "login_enrol", Status: status, Errors: errs,
		Data: enrolView{Continue: next, Secret: e.Secret, QR: qr, Enrolment: sealed}})
	return nil
}

func (p *Pages) confirmEnrol(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		code := strings.TrimSpace(r.PostFormValue("code"))
		err := codeFilled(code)
		if err == nil {
			err = p.limit(r, core.EndpointBankFactor, identity.LookupKey(pr.User.Email))
		}
		var l bank.Login
		if err == nil {
			l, err = p.Chain.Pass(r.Context(), bank.Pages, pr, bank.FactorTOTP, code, p.device(w, r))
		}
		if err == nil {
			return p.advance(w, r, l, next, false)
		}
		errs, status, ok := p.formError(w, err, "code")
		if !ok {
			return err
		}
		plain, ok := p.openText(r.PostFormValue("enrolment"))
		secret, uri, cut := strings.Cut(plain, "\n")
		if !ok || !cut || errors.Is(err, core.ErrWrongStep) {
			http.Redirect(w, r, "/login/enrol?continue="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
		return p.showRequired(w, r, next, identity.TOTPEnrolment{Secret: secret, URL: uri}, status, errs)
	})(w, r)
}

// codeFilled refuses an empty or oversized code before any work.
func codeFilled(code string) error {
	if code == "" || len(code) > 64 {
		return core.Invalid("missing_field", "otp", "enter the code")
	}
	return nil
}
