package bank

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	bankcore "github.com/gatehouse/gatehouse/internal/core/bank"
)

// customerGrant is step 2: grant_type=customer&customer_id=N with the
// step-1 token as Bearer.
func (d *Door) customerGrant(w http.ResponseWriter, r *http.Request, p url.Values) error {
	s, err := d.stepToken(r, p, true)
	if err != nil {
		return err
	}
	if err := d.limitStep(r, core.EndpointBankCustomer, s); err != nil {
		return err
	}
	id, err := strconv.ParseInt(p.Get("customer_id"), 10, 64)
	if err != nil || id <= 0 {
		return errInvalidRequest("customer_id must be a positive number")
	}
	l, err := d.Bank.SelectCustomer(r.Context(), s.p, s.client, id, fingerprint(r))
	if err != nil {
		return err
	}
	return d.writeLogin(w, l)
}

// otpGrant is step 3: grant_type=otp&factor=F&otp=CODE with the step
// token as Bearer. factor may be left out when only one factor can come
// next; factor=DEVICE (no code) lets a trusted device stand in for the
// chain when the role allows it (can_skip in the previous answer).
func (d *Door) otpGrant(w http.ResponseWriter, r *http.Request, p url.Values) error {
	s, err := d.stepToken(r, p, true)
	if err != nil {
		return err
	}
	if err := d.limitStep(r, core.EndpointBankFactor, s); err != nil {
		return err
	}
	factor := p.Get("factor")
	if factor == "" && bankcore.StateOf(s.p.Session).CustomerID == 0 {
		return core.ErrWrongStep
	}
	l, err := d.Bank.PassFactor(r.Context(), s.p, s.client, factor, p.Get("otp"), fingerprint(r))
	if err != nil {
		return err
	}
	return d.writeLogin(w, l)
}

// refreshGrant is grant_type=refresh_token with the client's Basic auth:
// rotation and reuse detection as on every door.
func (d *Door) refreshGrant(w http.ResponseWriter, r *http.Request, p url.Values) error {
	l, err := d.Bank.RefreshGrant(r.Context(), clientAuth(r, p), p.Get("refresh_token"), fingerprint(r))
	if err != nil {
		return err
	}
	return d.writeLogin(w, l)
}
