package bank

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	bankcore "github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

type otpSentAnswer struct {
	Factor      string `json:"factor"`
	Destination string `json:"destination"`
	ExpiresIn   int64  `json:"expires_in"`
	ResendIn    int64  `json:"resend_in"`
	Attempts    int    `json:"attempts"`
}

// sendOTP sends a code for factor=OTP_SMS or OTP_EMAIL of the step token.
func (d *Door) sendOTP(w http.ResponseWriter, r *http.Request) error {
	s := stepOf(r)
	if err := d.limitStep(r, core.EndpointBankOTP, s); err != nil {
		return err
	}
	sent, err := d.Bank.SendOTP(r.Context(), s.p, s.client, paramsOf(r).Get("factor"))
	if err != nil {
		return err
	}
	httpjson.WriteReply(w, otpSent(sent))
	return nil
}

// mayCodeBeSent is code sending's authorisation, run before an
// Idempotency-Key is looked up (httpjson.Guard).
func (d *Door) mayCodeBeSent(r *http.Request) (*http.Request, error) {
	s := stepOf(r)
	return r, d.Bank.CheckOTPStep(r.Context(), s.p, s.client)
}

// otpSent is the answer of a code sent (and the reply an Idempotency-Key keeps).
func otpSent(sent bankcore.OTPSent) core.Reply {
	return reply(http.StatusOK, otpSentAnswer{Factor: sent.Factor, Destination: sent.Destination,
		ExpiresIn: int64(sent.ExpiresIn / time.Second), ResendIn: int64(sent.ResendIn / time.Second), Attempts: sent.Attempts})
}

// revoke is RFC 7009 token revocation: the client's Basic auth and
// token=…; 200 whether or not the token was known.
func (d *Door) revoke(w http.ResponseWriter, r *http.Request) error {
	p, err := params(r)
	if err != nil {
		return err
	}
	if err := d.Bank.Revoke(r.Context(), clientAuth(r, p), p.Get("token")); err != nil {
		return err
	}
	write(w, http.StatusOK, struct{}{})
	return nil
}

// logout revokes the session of the Bearer token, at any step.
func (d *Door) logout(w http.ResponseWriter, r *http.Request) error {
	if err := d.Bank.Identity.Logout(r.Context(), stepOf(r).p.Session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type deviceAnswer struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at"`
	Current    bool   `json:"current"`
}

func deviceView(x identity.Device, fp string) deviceAnswer {
	cur := fp != "" && string(identity.FingerprintHash(fp)) == string(x.FingerprintHash)
	return deviceAnswer{ID: x.ID, Name: x.Name, CreatedAt: x.CreatedAt.Format(time.RFC3339),
		LastUsedAt: x.LastUsedAt.Format(time.RFC3339), Current: cur}
}

func (d *Door) listDevices(w http.ResponseWriter, r *http.Request) error {
	list, err := d.Bank.Identity.Devices(r.Context(), stepOf(r).p.User.ID)
	if err != nil {
		return err
	}
	out := struct {
		Devices []deviceAnswer `json:"devices"`
	}{Devices: []deviceAnswer{}}
	for _, x := range list {
		out.Devices = append(out.Devices, deviceView(x, fingerprint(r)))
	}
	write(w, http.StatusOK, out)
	return nil
}

// addDevice trusts the device named by the Device-Fingerprint header.
func (d *Door) addDevice(w http.ResponseWriter, r *http.Request) error {
	x, err := d.Bank.TrustDevice(r.Context(), stepOf(r).p, fingerprint(r), paramsOf(r).Get("name"))
	if err != nil {
		return err
	}
	write(w, http.StatusCreated, deviceView(x, fingerprint(r)))
	return nil
}

func (d *Door) removeDevice(w http.ResponseWriter, r *http.Request) error {
	if err := d.Bank.Identity.RemoveDevice(r.Context(), stepOf(r).p.User.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// beginTOTP starts an authenticator enrolment: with a complete token and
// the current password, or with the pending token of a step whose answer
// named required_action CONFIGURE_TOTP (any other pending token is 403
// insufficient_scope, as on every endpoint behind a complete chain).
func (d *Door) beginTOTP(w http.ResponseWriter, r *http.Request) error {
	s := stepOf(r)
	var e identity.TOTPEnrolment
	var err error
	if s.p.Session.Pending {
		e, err = d.Bank.BeginRequiredTOTP(r.Context(), bankcore.ByClient(s.client), s.p)
	} else {
		e, err = d.Bank.BeginTOTP(r.Context(), s.p, paramsOf(r).Get("password"))
	}
	if err != nil {
		return err
	}
	write(w, http.StatusOK, struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}{e.Secret, e.URL})
	return nil
}

func (d *Door) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	codes, err := d.Bank.ConfirmTOTP(r.Context(), stepOf(r).p, paramsOf(r).Get("otp"))
	if err != nil {
		return err
	}
	write(w, http.StatusOK, struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}{codes})
	return nil
}

// removeTOTP drops the authenticator; it needs the current password.
func (d *Door) removeTOTP(w http.ResponseWriter, r *http.Request) error {
	if err := d.Bank.RemoveTOTP(r.Context(), stepOf(r).p, paramsOf(r).Get("password")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
