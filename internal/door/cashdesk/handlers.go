package cashdesk

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	cashdeskcore "github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// authenticate is the cashdesk API's POST /api/v2/authenticate. For an account
// with a second factor the right password is answered 401 mfa_required
// with an mfa_token, which a second call spends with an otp.
func (d *Door) authenticate(w http.ResponseWriter, r *http.Request) error {
	var req authenticateRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	var pair identity.TokenPair
	var u identity.User
	var err error
	if req.MFAToken != "" {
		if err := identity.SecondFactorRequest(req.Password, req.OTP); err != nil {
			return err
		}
		if err := d.limit(r, ""); err != nil {
			return err
		}
		pair, u, err = d.Factors.CompleteSignIn(r.Context(), req.MFAToken, req.OTP, d.spec(r))
	} else {
		if req.Email == "" || req.Password == "" {
			return core.Invalid("missing_field", "email", "email and password are required")
		}
		if err := d.limit(r, identity.LookupKey(req.Email)); err != nil {
			return err
		}
		pair, u, err = d.Factors.SignIn(r.Context(), req.Email, req.Password, d.spec(r))
	}
	if err != nil {
		return err
	}
	return d.writeAuthenticated(w, r, u, pair)
}

// spec is the session a sign-in opens: a shift-long token.
func (d *Door) spec(r *http.Request) identity.SessionSpec {
	ip := ""
	if d.ClientIP != nil {
		ip = d.ClientIP(r)
	}
	return identity.SessionSpec{Door: door, UserAgent: r.UserAgent(), IP: ip, AccessTTL: d.TokenTTL, Extra: map[string]any{"door": door}}
}

// limit applies the "login" limits (shared with the platform door).
func (d *Door) limit(r *http.Request, subject string) error {
	if d.Limit == nil {
		return nil
	}
	return d.Limit(r, core.EndpointLogin, subject)
}

// writeAuthenticated writes the cashdesk API's answer. u is the user as read
// before the sign-in: last_online is the last activity before it, since
// the sign-in itself would make it always "now" and tell the cashier
// nothing.
func (d *Door) writeAuthenticated(w http.ResponseWriter, r *http.Request, u identity.User, pair identity.TokenPair) error {
	st, err := d.Cashdesk.CashierState(r.Context(), u.ID)
	if err != nil {
		return err
	}
	resp := authenticateResponse{
		ActiveRRO: st.ActiveRRO, DeveloperID: st.Profile.DeveloperID,
		Token: "Bearer " + pair.Access, TokenExpiresAt: pair.AccessExpiry.In(d.Zone).Format(tokenExpiryLayout),
		User: d.view(u, st.Profile, u.LastSeenAt),
	}
	if st.OpenShift != nil {
		s := strconv.FormatInt(st.OpenShift.ID, 10)
		resp.OpenedShift = &s
	}
	httpjson.Write(w, http.StatusOK, resp)
	return nil
}

// logout revokes the session of the token; an API key has none.
func (d *Door) logout(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if p.ViaAPIKey() {
		return core.ErrNoSession
	}
	if err := d.Identity.Logout(r.Context(), p.Session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changePassword keeps the caller's session and revokes the others (and
// the API keys when asked). The current password passes the login's rate
// limit for the address and, in the core, its lockout.
func (d *Door) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" || req.NewPassword == "" {
		return core.Invalid("missing_field", "new_password", "current_password and new_password are required")
	}
	p := principal(r)
	if p.ViaAPIKey() { // before the rate limit: a key's request is no guess at the password
		return core.ErrSessionRequired
	}
	if err := d.limitReentry(r, p); err != nil {
		return err
	}
	err := d.Identity.ChangePassword(r.Context(), p, identity.PasswordChange{
		Current: req.CurrentPassword, Next: req.NewPassword, RevokeAPIKeys: req.RevokeAPIKeys,
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// limitReentry counts a re-entered password under the login's limits for
// the user's address: guessing it is guessing a login.
func (d *Door) limitReentry(r *http.Request, p identity.Principal) error {
	if d.Limit == nil {
		return nil
	}
	return d.Limit(r, core.EndpointLogin, p.User.Email)
}

func (d *Door) writeProfile(w http.ResponseWriter, u identity.User, p cashdeskcore.CashierProfile) {
	httpjson.Write(w, http.StatusOK, d.view(u, p, u.LastSeenAt))
}

func (d *Door) profile(w http.ResponseWriter, r *http.Request) error {
	u := principal(r).User
	p, err := d.Cashdesk.Cashier(r.Context(), u.ID)
	if err != nil {
		return err
	}
	d.writeProfile(w, u, p)
	return nil
}

func (d *Door) updateProfile(w http.ResponseWriter, r *http.Request) error {
	var req profileRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	u := principal(r).User
	p, err := d.Cashdesk.UpdateCashier(r.Context(), u.ID, cashdeskcore.CashierUpdate{FullName: req.FullName, EDRPOU: req.EDRPOU, DRFO: req.DRFO})
	if err != nil {
		return err
	}
	d.writeProfile(w, u, p)
	return nil
}

// uploadCertificate takes the certificate as the raw body (PEM or DER, by
// its Content-Type) or as JSON {"certificate": PEM text or base64 DER}.
func (d *Door) uploadCertificate(w http.ResponseWriter, r *http.Request) error {
	data, err := certificateBody(r)
	if err != nil {
		return err
	}
	u := principal(r).User
	p, err := d.Cashdesk.SetCertificate(r.Context(), u.ID, data)
	if err != nil {
		return err
	}
	d.writeProfile(w, u, p)
	return nil
}

// certificateTypes are the raw upload types (RFC 2585's pkix-cert for DER,
// the PEM type the rest of Gatehouse serves).
var certificateTypes = []string{"application/pkix-cert", "application/x-pem-file", "application/x-x509-user-cert", "application/octet-stream"}

var errCertificateMedia = &httpjson.StatusError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
	Message: "send the certificate as application/json, " + strings.Join(certificateTypes, ", ")}

func certificateBody(r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, errCertificateMedia
	}
	if mt == "application/json" {
		var req certificateRequest
		if err := httpjson.Decode(r, &req); err != nil {
			return nil, err
		}
		return decodeCertificateText(req.Certificate)
	}
	for _, t := range certificateTypes {
		if mt == t {
			data, err := io.ReadAll(io.LimitReader(r.Body, cashdeskcore.MaxCertificateBytes+1))
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, httpjson.ErrBodyTooLarge
			}
			return data, err
		}
	}
	return nil, errCertificateMedia
}

// decodeCertificateText accepts PEM text as is and base64 (standard or
// URL-safe, padded or not) of DER.
func decodeCertificateText(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, core.Invalid("missing_field", "certificate", "certificate is required")
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		return []byte(s), nil
	}
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if der, err := enc.DecodeString(s); err == nil {
			return der, nil
		}
	}
	return nil, core.ErrCertificateMalformed
}

func (d *Door) removeCertificate(w http.ResponseWriter, r *http.Request) error {
	u := principal(r).User
	p, err := d.Cashdesk.RemoveCertificate(r.Context(), u.ID)
	if err != nil {
		return err
	}
	d.writeProfile(w, u, p)
	return nil
}
