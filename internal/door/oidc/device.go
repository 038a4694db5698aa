package oidc

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/core"
)

// DevicePath is the hosted verification page (RFC 8628 §3.2
// verification_uri), served by internal/web/device.
const DevicePath = "/device"

// deviceAnswer is RFC 8628 §3.2's device authorization response.
type deviceAnswer struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// deviceAuthorization is RFC 8628 §3.1's endpoint: the client
// authenticates as at the token endpoint (a public client names itself by
// client_id), and must be registered with the device_code grant. Errors
// are RFC 6749 §5.2's, as the token endpoint's (§3.2).
func (d *Door) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := postForm(r)
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	client, err := d.OAuth.AuthenticateClient(ctx, clientAuth(r, f))
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	g, err := d.OAuth.AuthorizeDevice(ctx, client, f.Get("scope"))
	if err != nil {
		d.OAuth.Refused(ctx, client.ID, "device_authorization", err)
		d.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, deviceAnswer{DeviceCode: g.DeviceCode, UserCode: g.UserCode,
		VerificationURI:         d.Issuer + DevicePath,
		VerificationURIComplete: d.Issuer + DevicePath + "?" + url.Values{"user_code": {g.UserCode}}.Encode(),
		ExpiresIn:               int64(g.ExpiresIn.Seconds()), Interval: int64(g.Interval.Seconds())})
}

// deviceWait are the device grant's answers that are no refusal but the
// protocol's "ask again" (RFC 8628 §3.5): not audited, or every poll of
// every device would be a row.
func deviceWait(err error) bool {
	return errors.Is(err, core.ErrAuthorizationPending) || errors.Is(err, core.ErrSlowDown)
}
