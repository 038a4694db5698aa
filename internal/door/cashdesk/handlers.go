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
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// authenticate is seed 001's POST /api/v2/authenticate.
func (d *Door) authenticate(w http.ResponseWriter, r *http.Request) error {
	var req authenticateRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return core.Invalid("missing_field", "email", "email and password are required")
	}
	if d.Limit != nil {
		if err := d.Limit(r, "login", core.LookupKey(req.Email)); err != nil {
			return err
		}
	}
	ctx := r.Context()
	u, err := d.Core.Authenticate(ctx, req.Email, req.Password)
	if err != nil {
		return err
	}
	// last_online is the user's last activity before this sign-in: the
	// sign-in itself would make it always "now" and tell the cashier nothing.
	lastOnline := u.LastSeenAt
	ip := ""
	if d.ClientIP != nil {
		ip = d.ClientIP(r)
	}
	pair, err := d.Core.StartSession(ctx, u, core.SessionSpec{
		Door: door, UserAgent: r.UserAgent(), IP: ip, AccessTTL: d.TokenTTL, Extra: map[string]any{"door": door},
	})
	if err != nil {
		return err
	}
	st, err := d.Core.CashierState(ctx, u.ID)
	if err != nil {
		return err
	}
	resp := authenticateResponse{
		ActiveRRO: st.ActiveRRO, DeveloperID: st.Profile.DeveloperID,
		Token: "Bearer " + pair.Access, TokenExpiresAt: pair.AccessExpiry.In(d.Zone).Format(tokenExpiryLayout),
		User: d.view(u, st.Profile, lastOnline),
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
	if err := d.Core.Logout(r.Context(), p.Session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changePassword keeps the caller's session and revokes the others.
func (d *Door) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" || req.NewPassword == "" {
		return core.Invalid("missing_field", "new_password", "current_password and new_password are required")
	}
	p := principal(r)
	if err := d.Core.ChangePassword(r.Context(), p.User.ID, req.CurrentPassword, req.NewPassword, p.Session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) writeProfile(w http.ResponseWriter, u core.User, p core.CashierProfile) {
	httpjson.Write(w, http.StatusOK, d.view(u, p, u.LastSeenAt))
}

func (d *Door) profile(w http.ResponseWriter, r *http.Request) error {
	u := principal(r).User
	p, err := d.Core.Cashier(r.Context(), u.ID)
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
	p, err := d.Core.UpdateCashier(r.Context(), u.ID, core.CashierUpdate{FullName: req.FullName, EDRPOU: req.EDRPOU, DRFO: req.DRFO})
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
	p, err := d.Core.SetCertificate(r.Context(), u.ID, data)
	if err != nil {
		return err
	}
	d.writeProfile(w, u, p)
	return nil
}

// certificateTypes are the raw upload types (RFC 2585's pkix-cert for DER,
// the PEM type the rest of Gatehouse serves).
var certificateTypes = []string{"application/pkix-cert", "application/x-pem-file", "application/x-x509-user-cert", "application/octet-stream"}

var errCertificateMedia = &core.Error{Kind: core.KindUnsupportedMedia, Code: "unsupported_media_type",
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
			data, err := io.ReadAll(io.LimitReader(r.Body, core.MaxCertificateBytes+1))
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
	p, err := d.Core.RemoveCertificate(r.Context(), u.ID)
	if err != nil {
		return err
	}
	d.writeProfile(w, u, p)
	return nil
}
