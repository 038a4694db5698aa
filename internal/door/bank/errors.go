package bank

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// The OAuth door's errors are RFC 6749 §5.2's {"error","error_description"}
// (and RFC 6750 §3.1's for Bearer-authenticated requests), not the JSON
// doors' shape. One table maps core codes to them.

// Body is the error answer.
type Body struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

var (
	errTooLarge = &httpjson.StatusError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Message: "request is too large"}
	// errNoGrant answers a missing grant_type.
	errNoGrant = errInvalidRequest("grant_type is required")
)

func errInvalidRequest(msg string) *core.Error {
	return &core.Error{Kind: core.KindInvalid, Code: "invalid_request", Message: msg}
}

// bearerError marks a failure of the Bearer step token (RFC 6750).
type bearerError struct{ err error }

func (e bearerError) Error() string { return "bearer token: " + e.err.Error() }
func (e bearerError) Unwrap() error { return e.err }

// grantCodes are the core codes that RFC 6749 calls invalid_grant: the
// credentials, refresh token or step proof presented are not good.
var grantCodes = map[string]bool{
	"invalid_credentials": true, "account_locked": true, "email_not_confirmed": true, "invalid_token": true,
	"invalid_step": true, "invalid_customer": true, "factor_not_allowed": true, "factor_unavailable": true,
	"invalid_otp": true, "otp_attempts_exceeded": true, "role_changed": true, "device_not_trusted": true,
	"sms_unavailable": true, "no_possible_chain": true,
}

// wrongPassword is the one description of every step-1 failure that
// depends on the credentials, decryption failures included.
const wrongPassword = "invalid username or password"

// oauthError maps err to a status and body.
func oauthError(err error) (int, Body, *core.Error) {
	var se *httpjson.StatusError
	if errors.As(err, &se) { // a refusal of HTTP itself (size, media type)
		return se.Status, Body{"invalid_request", se.Message}, nil
	}
	var e *core.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError, Body{"server_error", "internal error"}, nil
	}
	var be bearerError
	switch {
	case errors.As(err, &be) && e.Kind == core.KindUnauthenticated:
		return http.StatusUnauthorized, Body{"invalid_token", e.Message}, e
	case e.Code == core.ErrAuthIncomplete.Code:
		return http.StatusForbidden, Body{"insufficient_scope", e.Message}, e
	case e.Code == core.ErrInvalidCredentials.Code:
		return http.StatusBadRequest, Body{"invalid_grant", wrongPassword}, e
	case grantCodes[e.Code]:
		return http.StatusBadRequest, Body{"invalid_grant", e.Message}, e
	case e.Code == "invalid_client":
		return http.StatusUnauthorized, Body{"invalid_client", e.Message}, e
	case e.Code == "unauthorized_client" || e.Code == "unsupported_grant_type":
		return http.StatusBadRequest, Body{e.Code, e.Message}, e
	}
	switch e.Kind {
	case core.KindInvalid:
		return http.StatusBadRequest, Body{"invalid_request", e.Message}, e
	case core.KindUnauthenticated:
		return http.StatusUnauthorized, Body{"invalid_token", e.Message}, e
	case core.KindForbidden:
		return http.StatusForbidden, Body{"access_denied", e.Message}, e
	case core.KindNotFound:
		return http.StatusNotFound, Body{"not_found", e.Message}, e
	case core.KindConflict:
		return http.StatusConflict, Body{e.Code, e.Message}, e
	case core.KindUnprocessable:
		return http.StatusUnprocessableEntity, Body{e.Code, e.Message}, e
	case core.KindRateLimited:
		return http.StatusTooManyRequests, Body{e.Code, e.Message}, e
	case core.KindUnavailable:
		return http.StatusServiceUnavailable, Body{"temporarily_unavailable", e.Message}, e
	}
	return http.StatusInternalServerError, Body{"server_error", "internal error"}, nil
}

// handler returns its error to the door's adapter.
type handler func(w http.ResponseWriter, r *http.Request) error

// adapt writes a handler's error in the OAuth shape. Untyped errors are
// classified as every door's are (httpjson: a failing dependency is 503 +
// Retry-After, anything else 500), their causes logged by route pattern,
// never by path (never a ciphertext, code or secret: errors of this door
// carry none).
func adapt(log *slog.Logger, h handler) http.Handler {
	classify := httpjson.Adapter{Log: log}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := httpjson.OneCredential(r) // two clients or step tokens: 400 invalid_request
		if err == nil {
			err = h(w, r)
		}
		if err == nil {
			return
		}
		var ce *core.Error
		var se *httpjson.StatusError
		if !errors.As(err, &ce) && !errors.As(err, &se) {
			err = classify.Classify(r, err)
		}
		status, body, e := oauthError(err)
		if e != nil {
			httpjson.SetRetryAfter(w.Header(), e.RetryAfter)
		}
		switch body.Error {
		case "invalid_client":
			w.Header().Set("WWW-Authenticate", `Basic realm="gatehouse"`)
		case "invalid_token", "insufficient_scope":
			w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse", error="`+body.Error+`"`)
		}
		write(w, status, body)
	})
}
