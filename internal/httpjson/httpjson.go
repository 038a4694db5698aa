// Package httpjson is the JSON-over-HTTP plumbing shared by the doors whose
// wire format has no error shape of its own: decoding capped bodies, writing
// answers, and the one table that maps core errors to HTTP statuses
// (docs/design.md "Errors": {"error":"snake_case_code","message":"…"}).
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Handler is an HTTP handler that returns its error to one adapter.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Adapter turns Handlers into http.Handlers, writing returned errors with
// Write. Log receives internal causes (never shown to clients).
type Adapter struct {
	Log *slog.Logger
}

// H adapts h. A request presenting more than one credential, or a query
// parameter that is not text (text.go), is refused before h runs.
func (a Adapter) H(h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := OneCredential(r)
		if err == nil {
			err = CheckQuery(r)
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			a.Error(w, r, err)
		}
	})
}

// Body is the JSON error answer. MFAToken and Factors are set on
// mfa_required only (core.MFARequired), absent from every other answer.
type Body struct {
	Error    string   `json:"error"`
	Message  string   `json:"message"`
	Field    string   `json:"field,omitempty"`
	MFAToken string   `json:"mfa_token,omitempty"`
	Factors  []string `json:"factors,omitempty"`
}

// Status is the one table from core error kinds to HTTP statuses.
func Status(k core.Kind) int {
	switch k {
	case core.KindInvalid:
		return http.StatusBadRequest
	case core.KindUnauthenticated:
		return http.StatusUnauthorized
	case core.KindForbidden:
		return http.StatusForbidden
	case core.KindNotFound:
		return http.StatusNotFound
	case core.KindConflict:
		return http.StatusConflict
	case core.KindRateLimited:
		return http.StatusTooManyRequests
	case core.KindUnavailable:
		return http.StatusServiceUnavailable
	case core.KindUnprocessable:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// StatusError is a refusal that exists only in HTTP (a body too large, a
// media type, an Accept header, a method): the HTTP layer raises it with
// its status, and the core never sees it.
type StatusError struct {
	Status  int
	Code    string // the snake_case wire code
	Message string
}

func (e *StatusError) Error() string { return e.Code + ": " + e.Message }

// Error writes err as the JSON error answer. Untyped errors become a 500
// "internal_error" on the wire with the full cause in the log.
func (a Adapter) Error(w http.ResponseWriter, r *http.Request, err error) {
	var se *StatusError
	if errors.As(err, &se) {
		Write(w, se.Status, Body{Error: se.Code, Message: se.Message})
		return
	}
	var e *core.Error
	if !errors.As(err, &e) {
		e = a.untyped(r, err)
	}
	status := Status(e.Kind)
	SetRetryAfter(w.Header(), e.RetryAfter)
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", challenge(e))
	}
	body := Body{Error: e.Code, Message: e.Message, Field: e.Field}
	var mfa *core.MFARequired
	if errors.As(err, &mfa) {
		body.MFAToken, body.Factors = mfa.Token, mfa.Factors
	}
	Write(w, status, body)
}

// challenge is the WWW-Authenticate of a 401 (RFC 6750 §3). A request
// refused for want of a recent sign-in gets RFC 9470 §3's step-up error,
// so that a client asks its user to sign in again instead of refreshing.
func challenge(e *core.Error) string {
	if e.Code == core.ErrReauthRequired.Code {
		return `Bearer realm="gatehouse", error="insufficient_user_authentication", error_description="a recent sign-in or the current password is required"`
	}
	return `Bearer realm="gatehouse"`
}

// SetRetryAfter sets Retry-After to d in whole seconds, rounded up
// (RFC 9110 §10.2.3); nothing when d is not positive.
func SetRetryAfter(h http.Header, d time.Duration) {
	if d > 0 {
		h.Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}

// Write sends v as JSON with status.
func Write(w http.ResponseWriter, status int, v any) { WriteReply(w, JSONReply(status, v)) }

// Errors of request decoding.
var (
	ErrBodyTooLarge = &StatusError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "request body is too large"}
	ErrMediaType    = &StatusError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "Content-Type must be application/json"}
)

// Decode reads a JSON object from r's body (capped by the server's
// MaxBytesReader) into v. Unknown fields are ignored for compatibility with
// clients of the published APIs; wrong types, trailing data, bad JSON, a
// member named twice in one object (duplicates.go) and a string that is
// not text (text.go) answer 400.
func Decode(r *http.Request, v any) error {
	// Strict: a body of unknown type is refused, so that a cross-site form
	// (text/plain, no preflight) can never be read as JSON.
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return ErrMediaType
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	if err := refuseRepeatedMembers(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrBodyTooLarge
		}
		return core.Invalid("invalid_json", "", "request body must be a single JSON object")
	}
	return checkStrings(reflect.ValueOf(v), "", "")
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return ErrBodyTooLarge
	case errors.Is(err, io.EOF):
		return core.Invalid("invalid_json", "", "request body is empty; a JSON object is required")
	case errors.As(err, &te):
		field := te.Field
		return core.Invalid("invalid_type", field, field+" has the wrong type (want "+te.Type.String()+")")
	}
	return core.Invalid("invalid_json", "", "request body is not valid JSON")
}

// Bearer returns the token of an "Authorization: Bearer …" header, or "".
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// WritePEM answers a public key as the bare SPKI PEM text
// (application/x-pem-file) that clients may keep for maxAge. It returns
// core.ErrUnavailable, writing nothing, when pem is empty (no key is
// published yet): never a 200 with an empty key.
func WritePEM(w http.ResponseWriter, pem []byte, maxAge time.Duration) error {
	if len(pem) == 0 {
		return core.ErrUnavailable
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	_, _ = w.Write(pem)
	return nil
}
