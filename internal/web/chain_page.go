package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// chainView is the factor chain's page: the chains the person can pass,
// the factors due next (a button to send each sent code), the code form,
// and "trust this device" where the role allows it.
type chainView struct {
	Continue string
	Role     string
	Chains   [][]string
	Next     []string
	Sendable []string
	Factor   string // the factor the code form is for when one is due, or the one just sent
	Sent     string // where the code just sent went (masked)
	Trust    bool
}

func (p *Pages) chainPage(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		return p.chainAgain(w, r, pr, next, Page{})
	})(w, r)
}

// chainAgain renders the chain page of pr's step over pg (its status,
// errors, notice and the factor just sent).
func (p *Pages) chainAgain(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string, pg Page, sent ...bank.OTPSent) error {
	l, err := p.Chain.Progress(r.Context(), bank.Pages, pr, p.device(w, r))
	if err != nil {
		return p.restart(w, r, next, err)
	}
	if l.Membership == nil {
		http.Redirect(w, r, "/login/company?continue="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	v := chainView{Continue: next, Role: l.Membership.Role.Name, Chains: l.PossibleChains, Next: l.NextFactors(),
		Trust: l.Membership.Role.DeviceSkip && !l.DeviceTrusted}
	if v.Role == "" {
		v.Role = l.Membership.Role.Code
	}
	for _, f := range v.Next {
		if sentFactor(f) {
			v.Sendable = append(v.Sendable, f)
		}
	}
	if len(v.Next) == 1 {
		v.Factor = v.Next[0]
	}
	if len(sent) > 0 {
		v.Factor, v.Sent = sent[0].Factor, sent[0].Destination
	} else if f := r.URL.Query().Get("sent"); r.Method == http.MethodGet && slices.Contains(v.Sendable, f) {
		v.Factor, v.Sent = f, l.SentTo(f) // the code sent on choosing the company
	}
	if f := r.PostFormValue("factor"); v.Factor == "" && f != "" {
		v.Factor = f
	}
	pg.Name, pg.Data = "login_chain", v
	p.Render(w, r, pg)
	return nil
}

// pass checks one factor's code (bank.Service.Pass on the web session).
func (p *Pages) pass(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		code := strings.TrimSpace(r.PostFormValue("code"))
		err := codeFilled(code)
		if err == nil {
			err = p.limit(r, core.EndpointBankFactor, identity.LookupKey(pr.User.Email))
		}
		if err == nil {
			var l bank.Login
			if l, err = p.Chain.Pass(r.Context(), bank.Pages, pr, r.PostFormValue("factor"), code, p.device(w, r)); err == nil {
				return p.advance(w, r, l, next, r.PostFormValue("trust") == "on")
			}
		}
		errs, status, ok := p.formError(w, err, "code")
		if !ok {
			return err
		}
		return p.chainAgain(w, r, pr, next, Page{Status: status, Errors: errs})
	})(w, r)
}

// send sends a code of a factor due (bank.Service.Send: its spacing and
// count of codes).
func (p *Pages) send(w http.ResponseWriter, r *http.Request) error {
	return p.withStep(func(w http.ResponseWriter, r *http.Request, pr identity.Principal, next string) error {
		err := p.limit(r, core.EndpointBankOTP, identity.LookupKey(pr.User.Email))
		if err == nil {
			var sent bank.OTPSent
			if sent, err = p.Chain.Send(r.Context(), bank.Pages, pr, r.PostFormValue("factor")); err == nil {
				return p.chainAgain(w, r, pr, next, Page{}, sent)
			}
		}
		errs, status, ok := p.formError(w, err, "code")
		if !ok {
			return err
		}
		return p.chainAgain(w, r, pr, next, Page{Status: status, Errors: errs})
	})(w, r)
}

// sealText seals s with the master key for a form's hidden field.
func (p *Pages) sealText(s string) (string, error) {
	b, err := p.Sealer.Seal([]byte(s))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// openText opens what sealText sealed; false for anything else.
func (p *Pages) openText(v string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) > 2048 {
		return "", false
	}
	plain, err := p.Sealer.Open(b)
	if err != nil {
		return "", false
	}
	return string(plain), true
}
