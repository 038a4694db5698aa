package account

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Sessions and trusted devices: the owner sees every active sign-in (on
// any door: the platform and cashdesk APIs, the bank door, these pages)
// and every trusted device, and ends any of them, or every session but
// this browser's at once.

type sessionRow struct {
	ID, Door, Agent, IP, Created, LastSeen string
	Current                                bool
}

type deviceRow struct{ ID, Name, Created, LastUsed string }

type sessionsView struct {
	Sessions []sessionRow
	Devices  []deviceRow
	Others   int // sessions besides this browser's
}

func (x *pages) sessions(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	ctx := r.Context()
	all, err := x.p.Identity.Sessions(ctx, pr.User.ID)
	if err != nil {
		return err
	}
	devices, err := x.p.Identity.Devices(ctx, pr.User.ID)
	if err != nil {
		return err
	}
	var v sessionsView
	for _, s := range all {
		cur := s.ID == pr.Session.ID
		if !cur {
			v.Others++
		}
		v.Sessions = append(v.Sessions, sessionRow{ID: s.ID, Door: s.Door, Agent: core.DisplayText(s.UserAgent, 120), IP: s.IP,
			Created: when(s.CreatedAt), LastSeen: when(s.LastSeen), Current: cur})
	}
	for _, d := range devices {
		v.Devices = append(v.Devices, deviceRow{ID: d.ID, Name: core.DisplayText(d.Name, 120), Created: when(d.CreatedAt), LastUsed: when(d.LastUsedAt)})
	}
	x.render(w, r, "account_sessions", 0, nil, v)
	return nil
}

// revokeSession ends one session of the owner's (identity.RevokeSessionOf:
// another user's id is not found). This browser's own ends with Sign out.
func (x *pages) revokeSession(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	id := r.PathValue("id")
	if id == pr.Session.ID {
		return errOwnSession
	}
	if err := x.p.Identity.RevokeSessionOf(r.Context(), pr.User.ID, id); err != nil {
		return err
	}
	return done(w, r, "/account/sessions", "revoked")
}

// revokeOthers ends every session but this browser's.
func (x *pages) revokeOthers(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	if _, err := x.p.Identity.RevokeOtherSessions(r.Context(), pr.User.ID, pr.Session.ID); err != nil {
		return err
	}
	return done(w, r, "/account/sessions", "others")
}

// revokeDevice forgets a trusted device (identity.RemoveDevice): its next
// sign-in passes the whole factor chain again.
func (x *pages) revokeDevice(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	if err := x.p.Identity.RemoveDevice(r.Context(), pr.User.ID, r.PathValue("id")); err != nil {
		return err
	}
	return done(w, r, "/account/sessions", "device")
}

// errOwnSession: the form to end this browser's own session is Sign out.
var errOwnSession = &core.Error{Kind: core.KindInvalid, Code: "own_session", Message: "this is the session of this browser: sign out instead"}
