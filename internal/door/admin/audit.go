package admin

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// AuditEvent is the wire form of a identity.AuditEvent (shared with the CLI).
type AuditEvent struct {
	ID        int64             `json:"id"`
	At        string            `json:"at"`
	Type      string            `json:"type"`
	Outcome   string            `json:"outcome"`
	UserID    int64             `json:"user_id"`
	Actor     string            `json:"actor"`
	Subject   string            `json:"subject"`
	IP        string            `json:"ip"`
	UserAgent string            `json:"user_agent"`
	Detail    map[string]string `json:"detail"`
}

// AuditView converts a core event for the wire.
func AuditView(e identity.AuditEvent) AuditEvent {
	v := AuditEvent{ID: e.ID, At: e.At.Format(time.RFC3339Nano), Type: e.Type, Outcome: e.Outcome, UserID: e.UserID,
		Actor: e.Actor, Subject: e.Subject, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail}
	if v.Detail == nil {
		v.Detail = map[string]string{}
	}
	return v
}

type auditList struct {
	Events []AuditEvent `json:"events"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

// audit lists the audit log, newest first: ?user=REF (id, UUID or e-mail),
// ?actor= (exactly as the log names it: "admin:7", "user:42", "admin:token"),
// ?type= (an event type, or a family such as "login."), ?since= and
// ?until= (RFC 3339), ?limit= and ?offset=.
func (d *Door) audit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := identity.AuditFilter{Type: q.Get("type"), Actor: q.Get("actor")}
	var err error
	if f.Limit, f.Offset, err = paging(q); err != nil {
		return err
	}
	if f.Since, err = timeParam("since", q.Get("since")); err != nil {
		return err
	}
	if f.Until, err = timeParam("until", q.Get("until")); err != nil {
		return err
	}
	if ref := q.Get("user"); ref != "" {
		u, err := d.Identity.FindUser(r.Context(), ref)
		if err != nil {
			return err
		}
		f.UserID = u.ID
	}
	events, total, err := d.Identity.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, auditList{Events: Views(events, AuditView), Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func timeParam(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, core.Invalid("invalid_time", name, name+" must be an RFC 3339 time such as 2026-03-14T09:00:00Z")
	}
	return t, nil
}
