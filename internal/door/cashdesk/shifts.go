package cashdesk

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// registers lists the registers assigned to the caller.
func (d *Door) registers(w http.ResponseWriter, r *http.Request) error {
	regs, err := d.Cashdesk.RegistersOf(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	out := registerList{Registers: make([]registerView, 0, len(regs))}
	for _, x := range regs {
		out.Registers = append(out.Registers, registerView{ID: x.ID, FiscalNumber: x.FiscalNumber, Name: x.Name})
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) openShift(w http.ResponseWriter, r *http.Request) error {
	var req openShiftRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.RegisterID <= 0 {
		return core.Invalid("missing_field", "register_id", "register_id is required")
	}
	sh, err := d.Cashdesk.OpenShift(r.Context(), principal(r).User.ID, req.RegisterID)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, d.viewShift(sh))
	return nil
}

// currentShift answers the caller's open shift, 404 when none.
func (d *Door) currentShift(w http.ResponseWriter, r *http.Request) error {
	st, err := d.Cashdesk.CashierState(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	if st.OpenShift == nil {
		return &core.Error{Kind: core.KindNotFound, Code: "no_open_shift", Message: "no shift is open"}
	}
	httpjson.Write(w, http.StatusOK, d.viewShift(*st.OpenShift))
	return nil
}

func (d *Door) closeShift(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return core.ErrNotFound
	}
	sh, err := d.Cashdesk.CloseShift(r.Context(), principal(r).User.ID, id)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, d.viewShift(sh))
	return nil
}

var errExpiry = core.Invalid("invalid_expiry", "expires_at", "expires_at must be an RFC 3339 time in the future")

func (d *Door) createKey(w http.ResponseWriter, r *http.Request) error {
	var req createKeyRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	spec := identity.APIKeySpec{Name: req.Name, Scopes: req.Scopes}
	if req.ExpiresAt != nil {
		t, err := parseTime(*req.ExpiresAt)
		if err != nil {
			return errExpiry
		}
		spec.ExpiresAt = &t
	}
	// mayCreateKey judged the recent authentication; the core finds its proof.
	k, secret, err := d.Identity.CreateAPIKey(r.Context(), identity.RecentAuth{Principal: principal(r), Password: req.Password}, spec)
	if err != nil {
		return err
	}
	httpjson.WriteReply(w, keyCreated(identity.IssuedAPIKey{Key: k, Secret: secret}))
	return nil
}

// mayCreateKey is key creation's authorisation, run before an
// Idempotency-Key is looked up (httpjson.Guard): never an API key, and a
// sign-in within the reauthentication age or the current password
// re-entered, which counts under the login's rate limit of the address.
func (d *Door) mayCreateKey(r *http.Request) (*http.Request, error) {
	var req createKeyRequest
	if err := httpjson.Peek(r, &req); err != nil {
		return nil, err
	}
	p := principal(r)
	if req.Password != "" && !p.ViaAPIKey() {
		if err := d.limitReentry(r, p); err != nil {
			return nil, err
		}
	}
	ctx, err := d.Identity.ProveRecentAuth(r.Context(), identity.RecentAuth{Principal: p, Password: req.Password})
	if err != nil {
		return nil, err
	}
	return r.WithContext(ctx), nil
}

// keyCreated is the answer that shows a new key's secret, once (and the
// reply an Idempotency-Key keeps, sealed).
func keyCreated(k identity.IssuedAPIKey) core.Reply {
	v := viewKey(k.Key)
	v.Key = k.Secret
	return httpjson.JSONReply(http.StatusCreated, v)
}

func (d *Door) listKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := d.Identity.APIKeys(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	out := keyList{Keys: make([]keyView, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, viewKey(k))
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) revokeKey(w http.ResponseWriter, r *http.Request) error {
	if err := d.Identity.RevokeAPIKey(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }
