package cashdesk

import (
	"strconv"
	"time"

	cashdeskcore "github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Seed 001's date formats (dd.MM.yyyy HH:mm, dd-MM-yyyy HH:mm:ss,
// dd.MM.yyyy), written in the door's zone.
const (
	tokenExpiryLayout = "02.01.2006 15:04"
	lastOnlineLayout  = "02-01-2006 15:04:05"
	certEndLayout     = "02.01.2006"
	// shiftLayout is last_online's, for a shift's opened_at and closed_at.
	shiftLayout = lastOnlineLayout
)

type authenticateRequest struct {
	Email    string `json:"email"`
	Password string `json:"password" text:"secret"`
	// The second call after mfa_required (Gatehouse's own, beyond the published API).
	MFAToken string `json:"mfa_token"`
	OTP      string `json:"otp"`
}

// authenticateResponse is the cashdesk API's answer, field for field and in order.
type authenticateResponse struct {
	ActiveRRO      bool     `json:"active_rro"`
	DeveloperID    *int64   `json:"developer_id"`
	OpenedShift    *string  `json:"opened_shift"`
	Token          string   `json:"token"`
	TokenExpiresAt string   `json:"token_expires_at"`
	User           userView `json:"user"`
}

// userView is the cashdesk API's user object; null where the user has no such data.
type userView struct {
	FullName     *string        `json:"full_name"`
	UUID         string         `json:"uuid"`
	Email        string         `json:"email"`
	EDRPOU       *string        `json:"edrpou"`
	DRFO         *string        `json:"drfo"`
	LastOnline   *string        `json:"last_online"`
	SubjectKeyID *string        `json:"subject_key_id"`
	Signature    *signatureView `json:"signature"`
}

type signatureView struct {
	Serial      string `json:"serial"`
	CertEndData string `json:"cert_end_data"` // sic, the published API's name
}

// view builds the user object. lastOnline is the activity to report (see
// authenticate for which one).
func (d *Door) view(u identity.User, p cashdeskcore.CashierProfile, lastOnline *time.Time) userView {
	v := userView{
		UUID: u.UUID, Email: u.Email,
		FullName: nonEmpty(p.FullName), EDRPOU: nonEmpty(p.EDRPOU), DRFO: nonEmpty(p.DRFO),
	}
	if v.FullName == nil {
		v.FullName = nonEmpty(u.Name) // the name given at sign-up, until the cashier sets one
	}
	if lastOnline != nil {
		s := lastOnline.In(d.Zone).Format(lastOnlineLayout)
		v.LastOnline = &s
	}
	if c := p.Cert; c != nil {
		v.SubjectKeyID = nonEmpty(c.SubjectKeyID)
		v.Signature = &signatureView{Serial: c.Serial, CertEndData: c.NotAfter.In(d.Zone).Format(certEndLayout)}
	}
	return v
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type profileRequest struct {
	FullName *string `json:"full_name"`
	EDRPOU   *string `json:"edrpou"`
	DRFO     *string `json:"drfo"`
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password" text:"secret"`
	NewPassword     string `json:"new_password" text:"secret"`
	RevokeAPIKeys   bool   `json:"revoke_api_keys"` // default false: keys belong to integrations
}

type certificateRequest struct {
	Certificate string `json:"certificate" text:"multiline"` // PEM text, or base64 of DER
}

type registerView struct {
	ID           int64  `json:"id"`
	FiscalNumber string `json:"fiscal_number"`
	Name         string `json:"name"`
}

type registerList struct {
	Registers []registerView `json:"registers"`
}

type openShiftRequest struct {
	RegisterID int64 `json:"register_id"`
}

// shiftView carries the id as a string of digits, as opened_shift does.
type shiftView struct {
	ID         string  `json:"id"`
	RegisterID int64   `json:"register_id"`
	OpenedAt   string  `json:"opened_at"`
	ClosedAt   *string `json:"closed_at"`
}

// viewShift writes the shift's times as the published answer writes
// last_online (dd-MM-yyyy HH:mm:ss in the door's zone): a till shows them
// beside the sign-in's dates, so they read alike (docs/cashdesk.md "Dates").
func (d *Door) viewShift(s cashdeskcore.Shift) shiftView {
	v := shiftView{ID: strconv.FormatInt(s.ID, 10), RegisterID: s.RegisterID, OpenedAt: s.OpenedAt.In(d.Zone).Format(shiftLayout)}
	if s.ClosedAt != nil {
		c := s.ClosedAt.In(d.Zone).Format(shiftLayout)
		v.ClosedAt = &c
	}
	return v
}

type createKeyRequest struct {
	Name      string   `json:"name"`
	ExpiresAt *string  `json:"expires_at"` // RFC 3339
	Scopes    []string `json:"scopes"`
	Password  string   `json:"password"` // re-entered when the sign-in is not recent
}

// keyView is an API key as lists show it; Key (the secret) only appears in
// the answer that created it.
type keyView struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Prefix     string   `json:"prefix"`
	Scopes     []string `json:"scopes"`
	CreatedAt  string   `json:"created_at"`
	ExpiresAt  *string  `json:"expires_at"`
	LastUsedAt *string  `json:"last_used_at"`
	RevokedAt  *string  `json:"revoked_at"`
	Key        string   `json:"key,omitempty"`
}

func viewKey(k identity.APIKey) keyView {
	v := keyView{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: k.Scopes, CreatedAt: rfc3339(k.CreatedAt),
		ExpiresAt: rfc3339Ptr(k.ExpiresAt), LastUsedAt: rfc3339Ptr(k.LastUsedAt), RevokedAt: rfc3339Ptr(k.RevokedAt)}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	return v
}

type keyList struct {
	Keys []keyView `json:"keys"`
}

// API keys carry RFC 3339 times in UTC: expires_at is written by the
// client in that form and read back in it (docs/cashdesk.md "Dates").
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func rfc3339Ptr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := rfc3339(*t)
	return &s
}
