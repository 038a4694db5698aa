package account

import (
	"io"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Cashier data (the cashdesk API's profile, docs/cashdesk.md): full
// name, EDRPOU and DRFO with their check digits, the signature
// certificate; and an overview of the registers the owner may open a
// shift on and the shift now open. Through the cashdesk domain's calls.

type registerRow struct{ ID, FiscalNumber, Name string }

type cashierView struct {
	FullName, EDRPOU, DRFO string
	Cert                   *certView
	Registers              []registerRow
	Shift                  *shiftView
	MaxCertKB              int
}

type certView struct{ Subject, Serial, KeyID, NotBefore, NotAfter, Uploaded string }

type shiftView struct{ ID, Register, Opened string }

func (x *pages) cashierData(r *http.Request, pr identity.Principal) (cashierView, error) {
	ctx := r.Context()
	st, err := x.cash.CashierState(ctx, pr.User.ID)
	if err != nil {
		return cashierView{}, err
	}
	regs, err := x.cash.RegistersOf(ctx, pr.User.ID)
	if err != nil {
		return cashierView{}, err
	}
	p := st.Profile
	v := cashierView{FullName: p.FullName, EDRPOU: p.EDRPOU, DRFO: p.DRFO, MaxCertKB: cashdesk.MaxCertificateBytes >> 10}
	if c := p.Cert; c != nil {
		v.Cert = &certView{Subject: c.Subject, Serial: c.Serial, KeyID: c.SubjectKeyID, NotBefore: when(c.NotBefore), NotAfter: when(c.NotAfter), Uploaded: when(c.UploadedAt)}
	}
	names := map[int64]string{}
	for _, g := range regs {
		v.Registers = append(v.Registers, registerRow{ID: itoa(g.ID), FiscalNumber: g.FiscalNumber, Name: g.Name})
		names[g.ID] = g.FiscalNumber
	}
	if sh := st.OpenShift; sh != nil {
		v.Shift = &shiftView{ID: itoa(sh.ID), Register: names[sh.RegisterID], Opened: when(sh.OpenedAt)}
	}
	return v, nil
}

func (x *pages) cashier(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	v, err := x.cashierData(r, pr)
	if err != nil {
		return err
	}
	x.render(w, r, "account_cashier", 0, nil, v)
	return nil
}

// saveCashier changes the full name and the tax ids
// (cashdesk.UpdateCashier, which checks their digits).
func (x *pages) saveCashier(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	name, edrpou, drfo := r.PostFormValue("full_name"), r.PostFormValue("edrpou"), r.PostFormValue("drfo")
	_, err := x.cash.UpdateCashier(r.Context(), pr.User.ID, cashdesk.CashierUpdate{FullName: &name, EDRPOU: &edrpou, DRFO: &drfo})
	if err != nil {
		return x.cashierAgain(w, r, pr, err, "edrpou", func(v *cashierView) { v.FullName, v.EDRPOU, v.DRFO = name, edrpou, drfo })
	}
	return done(w, r, "/account/cashier", "cashier")
}

// cashierAgain shows the cashier page again with err next to its field.
func (x *pages) cashierAgain(w http.ResponseWriter, r *http.Request, pr identity.Principal, err error, field string, edit func(*cashierView)) error {
	errs, code, ok := x.formError(w, err, field, same("full_name", "edrpou", "drfo", "certificate"))
	if !ok {
		return err
	}
	v, err := x.cashierData(r, pr)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&v)
	}
	x.render(w, r, "account_cashier", code, errs, v)
	return nil
}

// uploadCertificate keeps an uploaded X.509 certificate, PEM or DER, as the
// signature certificate (cashdesk.SetCertificate, which parses and checks
// it). The file is read up to its cap, and a larger one is refused whole.
func (x *pages) uploadCertificate(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	f, _, err := r.FormFile("certificate")
	if err != nil {
		return x.cashierAgain(w, r, pr, core.Invalid("missing_field", "certificate", "choose a certificate file"), "certificate", nil)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, cashdesk.MaxCertificateBytes+1))
	if err != nil {
		return err
	}
	if _, err := x.cash.SetCertificate(r.Context(), pr.User.ID, data); err != nil {
		return x.cashierAgain(w, r, pr, err, "certificate", nil)
	}
	return done(w, r, "/account/cashier", "certificate")
}

// removeCertificate forgets the certificate (cashdesk.RemoveCertificate).
func (x *pages) removeCertificate(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	if _, err := x.cash.RemoveCertificate(r.Context(), pr.User.ID); err != nil {
		return err
	}
	return done(w, r, "/account/cashier", "certificate_removed")
}
