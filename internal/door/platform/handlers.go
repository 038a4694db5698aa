package platform

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

func (d *Door) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if err := d.limit(r, core.EndpointRegister, identity.LookupKey(req.Login)); err != nil {
		return err
	}
	if req.Password == "" {
		return core.Invalid("missing_field", "password", "password is required")
	}
	u, err := d.Identity.Register(r.Context(), identity.Registration{
		Email: req.Login, Password: req.Password, Name: req.Name, Locale: req.Locale, Source: req.Source,
	})
	if err != nil {
		return err
	}
	httpjson.WriteReply(w, registered(u))
	return nil
}

// registered is the sign-up's answer (and the reply an Idempotency-Key keeps).
func registered(u identity.User) core.Reply {
	return httpjson.JSONReply(http.StatusCreated, idResponse{ID: u.UUID})
}

// emailSent is the answer of resend and restore, the same for every
// address (and the reply an Idempotency-Key keeps).
func emailSent(email string) core.Reply {
	return httpjson.JSONReply(http.StatusOK, emailResponse{Email: email})
}

// confirm spends the mailed code: JSON for an API client (the published
// API), and for a browser the hosted page, which confirms only when the
// person presses Confirm: mail scanners open every link.
func (d *Door) confirm(w http.ResponseWriter, r *http.Request) error {
	if d.ConfirmPage != nil && d.PrefersHTML != nil && d.PrefersHTML(r) {
		d.ConfirmPage.ServeHTTP(w, r)
		return nil
	}
	if err := d.limit(r, core.EndpointConfirm, ""); err != nil {
		return err
	}
	kind, err := d.Identity.ConfirmCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	status := "confirmed"
	if kind == identity.CodeResetPassword { // the recovery reading: valid, kept for the reset (docs/platform.md)
		status = "reset_code_valid"
	}
	httpjson.Write(w, http.StatusOK, confirmResponse{Status: status})
	return nil
}

func (d *Door) resendEmail(w http.ResponseWriter, r *http.Request) error {
	var req emailRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if err := d.checkSource(req.Source); err != nil {
		return err
	}
	if err := d.limit(r, core.EndpointResend, identity.LookupKey(req.Email)); err != nil {
		return err
	}
	if err := d.Identity.ResendConfirmation(r.Context(), req.Email); err != nil {
		return err
	}
	httpjson.WriteReply(w, emailSent(identity.LookupKey(req.Email)))
	return nil
}

func (d *Door) restore(w http.ResponseWriter, r *http.Request) error {
	var req emailRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if err := d.checkSource(req.Source); err != nil {
		return err
	}
	if err := d.limit(r, core.EndpointRestore, identity.LookupKey(req.Email)); err != nil {
		return err
	}
	if err := d.Identity.RequestPasswordReset(r.Context(), req.Email); err != nil {
		return err
	}
	httpjson.WriteReply(w, emailSent(identity.LookupKey(req.Email)))
	return nil
}

// resetLink is the link of reset mails sent before the hosted reset page
// existed: it answers 303 to that page (/reset?token=…), which moves the
// token out of the URL; the POST of this path stays the API.
func resetLink(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/reset?token="+url.QueryEscape(r.URL.Query().Get("token")), http.StatusSeeOther)
}

func (d *Door) reset(w http.ResponseWriter, r *http.Request) error {
	var req resetRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if err := d.limit(r, core.EndpointReset, ""); err != nil {
		return err
	}
	revokeKeys := req.RevokeAPIKeys == nil || *req.RevokeAPIKeys // revoked unless the owner says otherwise
	u, err := d.Identity.ResetPassword(r.Context(), req.Token, req.Password, revokeKeys)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, userIDResponse{UserID: u.UUID})
	return nil
}

// checkSource validates an optional source against the configured list.
func (d *Door) checkSource(source string) error {
	if source != "" && !slices.Contains(d.Identity.Policy.Sources, source) {
		return core.Invalid("invalid_source", "source", "source is not one of the allowed values")
	}
	return nil
}

func (d *Door) addressExists(w http.ResponseWriter, r *http.Request) error {
	email := r.URL.Query().Get("email")
	if err := d.limit(r, core.EndpointExists, identity.LookupKey(email)); err != nil {
		return err
	}
	ok, err := d.Identity.EmailExists(r.Context(), email)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, existsResponse{Exist: ok})
	return nil
}

func (d *Door) profile(w http.ResponseWriter, r *http.Request) error {
	// The user was read by VerifyAccess in this very request (and found
	// neither locked nor revoked); reading it again cost a third of the
	// queries of the endpoint (BENCHMARKS.md).
	u := principal(r).User
	addrs, err := d.Identity.Addresses(r.Context(), u.ID)
	if err != nil {
		return err
	}
	resp := profileResponse{ID: u.UUID, Name: u.Name, Email: u.Email, Locale: u.Locale, Addresses: []string{}, Roles: u.Roles}
	if resp.Roles == nil {
		resp.Roles = []string{}
	}
	for _, a := range addrs {
		resp.Addresses = append(resp.Addresses, a.Address)
	}
	httpjson.Write(w, http.StatusOK, resp)
	return nil
}

func (d *Door) addAddress(w http.ResponseWriter, r *http.Request) error {
	var req addressRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	a, err := d.Identity.AddAddress(r.Context(), principal(r).User.ID, req.Address, req.Name)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, addressResponse{AddressID: a.ID})
	return nil
}

// removeAddress detaches an address by the addressId its POST answered
// (**Gatehouse**: the published API has no removal). 204; 404 when the
// caller has no address with this id, another user's included.
func (d *Door) removeAddress(w http.ResponseWriter, r *http.Request) error {
	if err := d.Identity.RemoveAddress(r.Context(), principal(r).User.ID, r.PathValue("addressId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) sessions(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	list, err := d.Identity.Sessions(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	out := make([]sessionResponse, 0, len(list))
	for _, s := range list {
		out = append(out, sessionResponse{
			ID: s.ID, Door: s.Door, UserAgent: s.UserAgent, IP: s.IP, Current: s.ID == p.Session.ID,
			CreatedAt: s.CreatedAt.Format(time.RFC3339), LastSeen: s.LastSeen.Format(time.RFC3339),
		})
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := d.Identity.RevokeSessionOf(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
