package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// errorBody is RFC 6749 §5.2's error answer.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// wireCodes are the core codes that are RFC 6749 / OpenID Connect / RFC
// 8707 error codes as they are; any other invalid request is
// invalid_request with its message.
var wireCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "invalid_target": true, "access_denied": true,
	"unsupported_response_type": true, "login_required": true, "consent_required": true,
	"authorization_pending": true, "slow_down": true, "expired_token": true, // RFC 8628 §3.5
}

// oauthError maps err to a status and an RFC 6749 §5.2 body; the one
// table of this door. An untyped error is a 500 server_error, logged.
func (d *Door) oauthError(err error) (int, errorBody, *core.Error) {
	var se *httpjson.StatusError
	if errors.As(err, &se) {
		return se.Status, errorBody{"invalid_request", se.Message}, nil
	}
	var e *core.Error
	if !errors.As(err, &e) {
		if d.Log != nil {
			d.Log.Error("oidc: internal error", "err", err)
		}
		return http.StatusInternalServerError, errorBody{"server_error", "internal error"}, nil
	}
	body := errorBody{e.Code, e.Message}
	if !wireCodes[e.Code] {
		body.Error = "invalid_request"
	}
	switch core.KindOf(err) {
	case core.KindUnauthenticated:
		if e.Code == "invalid_client" {
			return http.StatusUnauthorized, body, e
		}
		body.Error = "invalid_grant"
		return http.StatusBadRequest, body, e
	case core.KindUnavailable:
		return http.StatusServiceUnavailable, errorBody{"temporarily_unavailable", e.Message}, e
	case core.KindRateLimited:
		return http.StatusTooManyRequests, errorBody{"temporarily_unavailable", e.Message}, e
	case core.KindInternal:
		if d.Log != nil {
			d.Log.Error("oidc: internal error", "err", err)
		}
		return http.StatusInternalServerError, errorBody{"server_error", "internal error"}, nil
	}
	return http.StatusBadRequest, body, e
}

// writeError answers err in RFC 6749 §5.2's shape; a failed client
// authentication through the Basic scheme is challenged (§5.2 invalid_client).
func (d *Door) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body, e := d.oauthError(err)
	if status == http.StatusUnauthorized {
		if _, _, basic := r.BasicAuth(); basic || r.Header.Get("Authorization") != "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="gatehouse"`)
		}
	}
	if e != nil && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
