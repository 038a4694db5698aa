package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/web"
)

// pageSize is how many rows a list shows at once.
const pageSize = 50

// notices are the outcomes a console form reports after its redirect
// (?done=…): only these ids are shown, so a crafted link cannot put text
// of its own on the page.
var notices = []string{"locked", "unlocked", "roles", "revoked", "member_set", "member_removed", "register", "developer",
	"client_created", "client_updated", "client_deleted",
	"customer_created", "customer_saved", "role_created", "role_saved", "bank_profile"}

// notice is the message id of the request's ?done=, "" when none.
func notice(r *http.Request) string {
	if d := r.URL.Query().Get("done"); slices.Contains(notices, d) {
		return "admin.done." + d
	}
	return ""
}

// offset reads ?offset= (0 when absent or not a whole number ≥ 0: a list's
// paging link is never worth an error page).
func offset(q url.Values) int {
	n, err := strconv.Atoi(q.Get("offset"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Paging is a list's position, for its Previous and Next links.
type Paging struct {
	Offset, Total, Shown int
	Query                url.Values // the list's filters, kept by the links
}

// From is the first row's 1-based number, 0 for an empty page.
func (p Paging) From() int {
	if p.Shown == 0 {
		return 0
	}
	return p.Offset + 1
}

// To is the last row's 1-based number.
func (p Paging) To() int { return p.Offset + p.Shown }

// Prev is the query of the previous page, "" on the first.
func (p Paging) Prev() string {
	if p.Offset == 0 {
		return ""
	}
	return p.at(max(p.Offset-pageSize, 0))
}

// Next is the query of the next page, "" on the last.
func (p Paging) Next() string {
	if p.Offset+p.Shown >= p.Total {
		return ""
	}
	return p.at(p.Offset + pageSize)
}

func (p Paging) at(off int) string {
	q := url.Values{}
	for k, v := range p.Query {
		if v[0] != "" {
			q[k] = v
		}
	}
	q.Set("offset", strconv.Itoa(off))
	return "?" + q.Encode()
}

// fieldMessages are the core's error codes the console explains next to a
// field in its own words; other refusals of a form take their kind's text.
var fieldMessages = []string{
	"invalid_role", "invalid_time", "invalid_type", "invalid_actor", "invalid_text", "not_found", "missing_field", "invalid_paging",
	"invalid_id", "invalid_name", "invalid_field", "invalid_code", "invalid_chains", "invalid_iin", "invalid_phone", "iin_taken",
}

// fieldOf is the form field a refusal belongs next to: the form's name for
// the core's field of the error (fields: core name → form name), else def.
func fieldOf(err error, def string, fields map[string]string) string {
	var e *core.Error
	if errors.As(err, &e) && fields[e.Field] != "" {
		return fields[e.Field]
	}
	return def
}

// formError is a refused form's answer: the message next to field, and the
// status the admin API gives the same refusal (httpjson.Status). An
// untyped error is no form's: ok is false and the request fails as a
// whole.
func formError(w http.ResponseWriter, err error, field string) (errs map[string]string, status int, ok bool) {
	var e *core.Error
	if !errors.As(err, &e) {
		return nil, 0, false
	}
	httpjson.SetRetryAfter(w.Header(), e.RetryAfter)
	id := "admin.error.invalid"
	switch {
	case slices.Contains(fieldMessages, e.Code):
		id = "admin.error." + e.Code
	case e.Kind == core.KindNotFound:
		id = "admin.error.not_found"
	case e.Kind == core.KindConflict:
		id = "admin.error.conflict"
	case e.Kind != core.KindInvalid:
		return nil, 0, false
	}
	return map[string]string{field: id}, httpjson.Status(e.Kind), true
}

// renderForm renders page with a refused form's error next to field, or
// returns err when it is not a form's refusal.
func renderForm(w http.ResponseWriter, r *http.Request, p *web.Pages, page string, data any, err error, field string) error {
	errs, status, ok := formError(w, err, field)
	if !ok {
		return err
	}
	p.Render(w, r, web.Page{Name: page, Status: status, Data: data, Errors: errs})
	return nil
}
