package console

import (
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// The audit log, newest first, filtered as GET /admin/v1/audit filters it
// (identity.AuditLog): by actor, by the user an event concerns, by event
// type or family ("login."), by a time range, a page at a time.

func (c *Console) mountAudit(h func(string, handler)) {
	h("GET /admin/audit", c.audit)
}

// timeLayout is what an <input type="datetime-local"> sends (HTML's "valid
// normalized local date and time string" without seconds); the console
// reads it as UTC and says so on the page.
const timeLayout = "2006-01-02T15:04"

type auditView struct {
	Actor, User, Type, Since, Until string
	Events                          []identity.AuditEvent
	Paging                          Paging
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	q := r.URL.Query()
	v := auditView{Actor: q.Get("actor"), User: q.Get("user"), Type: q.Get("type"), Since: q.Get("since"), Until: q.Get("until")}
	f := identity.AuditFilter{Actor: v.Actor, Type: v.Type, Limit: pageSize, Offset: offset(q)}
	var err error
	if f.Since, err = formTime("since", v.Since); err != nil {
		return renderForm(w, r, p, "admin_audit", v, err, "since")
	}
	if f.Until, err = formTime("until", v.Until); err != nil {
		return renderForm(w, r, p, "admin_audit", v, err, "until")
	}
	if v.User != "" {
		u, err := c.Identity.FindUser(r.Context(), v.User)
		if err != nil {
			return renderForm(w, r, p, "admin_audit", v, err, "user")
		}
		f.UserID = u.ID
	}
	events, total, err := c.Identity.AuditLog(r.Context(), f)
	if err != nil {
		field := "type"
		if e := (*core.Error)(nil); errors.As(err, &e) && e.Field != "" && e.Field != "limit" {
			field = e.Field
		}
		return renderForm(w, r, p, "admin_audit", v, err, field)
	}
	v.Events = events
	v.Paging = Paging{Offset: f.Offset, Total: total, Shown: len(events), Query: q}
	p.Render(w, r, web.Page{Name: "admin_audit", Data: v})
	return nil
}

// formTime reads a datetime-local field as UTC; "" is no bound.
func formTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(timeLayout, s, time.UTC)
	if err != nil {
		return time.Time{}, core.Invalid("invalid_time", field, field+" must be a date and time such as 2026-03-14T09:00")
	}
	return t, nil
}
