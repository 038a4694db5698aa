package admin

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

func (d *Door) user(r *http.Request) (identity.User, error) {
	return d.Identity.FindUser(r.Context(), r.PathValue("ref"))
}

func (d *Door) showUser(w http.ResponseWriter, r *http.Request) error {
	u, err := d.user(r)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, View(u))
	return nil
}

func (d *Door) deleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := d.user(r)
	if err != nil {
		return err
	}
	if err := d.Identity.DeleteUser(r.Context(), u.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) lock(locked bool) httpjson.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := d.user(r)
		if err != nil {
			return err
		}
		if u, err = d.Identity.SetLocked(r.Context(), u.ID, locked); err != nil {
			return err
		}
		httpjson.Write(w, http.StatusOK, View(u))
		return nil
	}
}

// removeTOTP drops the authenticator of a user who lost it (and the
// recovery codes); the user is mailed.
func (d *Door) removeTOTP(w http.ResponseWriter, r *http.Request) error {
	u, err := d.user(r)
	if err != nil {
		return err
	}
	if err := d.Factors.AdminRemoveTOTP(r.Context(), u); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) setRoles(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Roles []string `json:"roles"`
	}
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.Roles == nil {
		return core.Invalid("missing_field", "roles", "roles is required (an empty list removes every role)")
	}
	u, err := d.user(r)
	if err != nil {
		return err
	}
	if u, err = d.Identity.SetRoles(r.Context(), u.ID, req.Roles); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, View(u))
	return nil
}

type session struct {
	ID        string `json:"id"`
	Door      string `json:"door"`
	ClientID  string `json:"client_id"`
	UserAgent string `json:"user_agent"`
	IP        string `json:"ip"`
	CreatedAt string `json:"created_at"`
	ExpiresAt string `json:"expires_at"`
}

func (d *Door) sessions(w http.ResponseWriter, r *http.Request) error {
	u, err := d.user(r)
	if err != nil {
		return err
	}
	list, err := d.Identity.Sessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	out := make([]session, 0, len(list))
	for _, s := range list {
		out = append(out, session{
			ID: s.ID, Door: s.Door, ClientID: s.ClientID, UserAgent: s.UserAgent, IP: s.IP,
			CreatedAt: s.CreatedAt.Format(time.RFC3339), ExpiresAt: s.ExpiresAt.Format(time.RFC3339),
		})
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := d.Identity.Logout(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
