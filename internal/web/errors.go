package web

import (
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// The pages' own refusals, typed as the core's are.
var (
	errCSRF    = &core.Error{Kind: core.KindForbidden, Code: "csrf_failed", Message: "the form is stale or came from another site; reload the page and try again"}
	errBadForm = &core.Error{Kind: core.KindInvalid, Code: "invalid_form", Message: "the form could not be read"}
	// errNoScript: a password form arrived without its ciphertext (the
	// browser ran no script, so nothing was encrypted and nothing sent).
	errNoScript = &core.Error{Kind: core.KindInvalid, Code: "encryption_required", Message: "this form encrypts the password in the browser and needs JavaScript"}
	errNotFound = &core.Error{Kind: core.KindNotFound, Code: "not_found", Message: "no such page"}
)

// status is the HTTP status of an error: the JSON doors' one table
// (httpjson.Status), so a page refuses what its API refuses, alike.
func status(err error) (*core.Error, int) {
	var e *core.Error
	if !errors.As(err, &e) {
		return nil, http.StatusInternalServerError
	}
	return e, httpjson.Status(e.Kind)
}

// message is the catalogue id of an error's text: error.<code> when the
// catalogue has one, else the generic text of its kind.
func (p *Pages) message(e *core.Error) string {
	if e == nil {
		return "error.internal"
	}
	if id := "error." + e.Code; p.has(Languages[0], id) {
		return id
	}
	switch e.Kind {
	case core.KindRateLimited:
		return "error.rate_limited"
	case core.KindUnavailable:
		return "error.unavailable"
	case core.KindInvalid:
		return "error.invalid"
	}
	return "error.internal"
}

// fail answers an error as the error page, with the error's status and
// Retry-After. An untyped error is a 500 whose cause goes to the log only.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, code := status(err)
	if e == nil {
		p.Log.ErrorContext(r.Context(), "web: internal error", "route", r.Pattern, "err", err)
	} else {
		httpjson.SetRetryAfter(w.Header(), e.RetryAfter)
	}
	p.pageHeaders(w)
	p.Render(w, r, Page{Name: "error", Status: code, Data: p.message(e)})
}

// formError turns a domain error into the form's answer: the message next
// to the error's field (or next to field when the error names none) and
// the error's status. An untyped error is not a form's: ok is false and
// the caller fails the request.
func (p *Pages) formError(w http.ResponseWriter, err error, field string) (errs map[string]string, code int, ok bool) {
	e, code := status(err)
	if e == nil {
		return nil, 0, false
	}
	httpjson.SetRetryAfter(w.Header(), e.RetryAfter)
	if e.Field != "" && formFields[e.Field] != "" {
		field = formFields[e.Field]
	}
	return map[string]string{field: p.message(e)}, code, true
}

// formFields maps the fields the core names in its errors to the pages'
// form fields.
var formFields = map[string]string{
	"email": "email", "login": "email", "username": "email", "password": "password", "name": "name",
	"otp": "code", "code": "code", "new_password": "password",
}
