// Package factors serves the account's second factors on the JSON doors
// (platform, cashdesk): the owner lists them, enrols an authenticator app
// (TOTP, RFC 6238) and removes it. Each door mounts these handlers under
// its own prefix, behind its own authentication; the bank door has its
// own wire format for the same core calls (/auth/oauth/totp). Enrolling
// and removing need the current password; the paths are Gatehouse's own,
// documented in api/openapi.yaml.
package factors

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Endpoints are the handlers; build them as a struct literal.
type Endpoints struct {
	Factors *identity.Factors
	// Limit is the door's rate limit (nil: none). Enrolling, confirming
	// and removing count under the "login" limit of the account's address,
	// like a password change: a re-entered password is guessed like a
	// login, and the limit holds even with the lockout off.
	Limit func(r *http.Request, endpoint core.Endpoint, subject string) error
}

// limit counts a factor change of the signed-in user under the login's
// limit of the address. An API key's request is refused by the core
// (session_required) and is no guess: it is not counted.
func (x Endpoints) limit(r *http.Request) error {
	p := httpjson.PrincipalOf(r)
	if x.Limit == nil || p.ViaAPIKey() {
		return nil
	}
	return x.Limit(r, core.EndpointLogin, p.User.Email)
}

// Mount registers the endpoints under prefix (e.g. /v1/user/factors);
// wrap adds the door's authentication and its request checks.
func (x Endpoints) Mount(mux *http.ServeMux, prefix string, wrap func(httpjson.Handler) http.Handler) {
	mux.Handle("GET "+prefix, wrap(x.list))
	mux.Handle("POST "+prefix+"/totp", wrap(x.beginTOTP))
	mux.Handle("POST "+prefix+"/totp/confirm", wrap(x.confirmTOTP))
	mux.Handle("POST "+prefix+"/totp/remove", wrap(x.removeTOTP))
}

type listResponse struct {
	Factors           []string `json:"factors"`
	RecoveryCodesLeft int      `json:"recovery_codes_left"`
}

type passwordRequest struct {
	Password string `json:"password"`
}

type enrolmentResponse struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

type confirmRequest struct {
	OTP string `json:"otp"`
}

type recoveryResponse struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (x Endpoints) list(w http.ResponseWriter, r *http.Request) error {
	st, err := x.Factors.Status(r.Context(), httpjson.PrincipalOf(r).User.ID)
	if err != nil {
		return err
	}
	if st.Factors == nil {
		st.Factors = []string{}
	}
	httpjson.Write(w, http.StatusOK, listResponse{Factors: st.Factors, RecoveryCodesLeft: st.RecoveryCodesLeft})
	return nil
}

// password decodes the body's current password, which is required.
func password(r *http.Request) (string, error) {
	var req passwordRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return "", err
	}
	if req.Password == "" {
		return "", core.Invalid("missing_field", "password", "the current password is required")
	}
	return req.Password, nil
}

func (x Endpoints) beginTOTP(w http.ResponseWriter, r *http.Request) error {
	pw, err := password(r)
	if err != nil {
		return err
	}
	if err := x.limit(r); err != nil {
		return err
	}
	e, err := x.Factors.BeginTOTP(r.Context(), httpjson.PrincipalOf(r), pw)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, enrolmentResponse{Secret: e.Secret, URL: e.URL})
	return nil
}

func (x Endpoints) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var req confirmRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.OTP == "" {
		return core.Invalid("missing_field", "otp", "otp is required: a code of the authenticator app")
	}
	if err := x.limit(r); err != nil {
		return err
	}
	codes, err := x.Factors.ConfirmTOTP(r.Context(), httpjson.PrincipalOf(r), req.OTP)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, recoveryResponse{RecoveryCodes: codes})
	return nil
}

func (x Endpoints) removeTOTP(w http.ResponseWriter, r *http.Request) error {
	pw, err := password(r)
	if err != nil {
		return err
	}
	if err := x.limit(r); err != nil {
		return err
	}
	if err := x.Factors.RemoveTOTP(r.Context(), httpjson.PrincipalOf(r), pw); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
