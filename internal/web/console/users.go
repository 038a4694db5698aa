package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// Users: search, show, lock and unlock, roles, sessions and their
// revocation: the admin API's /admin/v1/users calls.

func (c *Console) mountUsers(h func(string, handler)) {
	h("GET /admin/users", c.users)
	h("GET /admin/users/{id}", c.user)
	h("POST /admin/users/{id}/lock", c.lock(true))
	h("POST /admin/users/{id}/unlock", c.lock(false))
	h("POST /admin/users/{id}/roles", c.setRoles)
	h("POST /admin/users/{id}/sessions/revoke", c.revokeSession)
	h("POST /admin/users/{id}/bank-profile", c.setBankProfile)
}

type usersView struct {
	Q      string
	Users  []identity.User
	Paging Paging
}

// users searches the accounts by e-mail or name (identity.UserFilter), a
// page at a time.
func (c *Console) users(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	q := r.URL.Query()
	v := usersView{Q: q.Get("q")}
	f := identity.UserFilter{Search: v.Q, Limit: pageSize, Offset: offset(q)}
	list, total, err := c.Identity.ListUsers(r.Context(), f)
	if err != nil {
		return renderForm(w, r, p, "admin_users", v, err, "q")
	}
	v.Users = list
	v.Paging = Paging{Offset: f.Offset, Total: total, Shown: len(list), Query: q}
	p.Render(w, r, web.Page{Name: "admin_users", Data: v})
	return nil
}

type userView struct {
	User        identity.User
	Roles       string // the roles field's value
	Sessions    []identity.Session
	Memberships []bank.Membership // the user's customers and roles there
	IIN, Phone  string            // the bank profile's form
}

// target is the user of the path's {id}; a malformed id is a 404.
func (c *Console) target(r *http.Request) (identity.User, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return identity.User{}, core.ErrNotFound
	}
	return c.Identity.FindUser(r.Context(), strconv.FormatInt(id, 10))
}

func (c *Console) userView(r *http.Request, u identity.User) (userView, error) {
	sessions, err := c.Identity.Sessions(r.Context(), u.ID)
	if err != nil {
		return userView{}, err
	}
	v := userView{User: u, Roles: strings.Join(u.Roles, ", "), Sessions: sessions}
	if v.Memberships, err = c.Bank.MembershipsOf(r.Context(), u.ID); err != nil {
		return userView{}, err
	}
	switch prof, err := c.Bank.ProfileOf(r.Context(), u.ID); {
	case err == nil:
		v.IIN, v.Phone = prof.IIN, prof.Phone
	case !errors.Is(err, core.ErrNotFound): // none yet: an empty form
		return userView{}, err
	}
	return v, nil
}

// user shows one account: its facts, the lock, its roles and its sessions.
func (c *Console) user(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	u, err := c.target(r)
	if err != nil {
		return err
	}
	v, err := c.userView(r, u)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_user", Data: v, Notice: notice(r)})
	return nil
}

func userPath(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// lock locks or unlocks the account (identity.SetLocked: a lock also ends
// every session, an unlock also lifts a lockout).
func (c *Console) lock(locked bool) handler {
	return func(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
		u, err := c.target(r)
		if err != nil {
			return err
		}
		if _, err := c.Identity.SetLocked(r.Context(), u.ID, locked); err != nil {
			return err
		}
		done := "unlocked"
		if locked {
			done = "locked"
		}
		return seeOther(w, r, userPath(u.ID), done)
	}
}

// setRoles replaces the account's roles with the field's list (commas or
// spaces between names; empty removes every role).
func (c *Console) setRoles(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	u, err := c.target(r)
	if err != nil {
		return err
	}
	field := r.PostFormValue("roles")
	roles := strings.FieldsFunc(field, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' })
	if _, err := c.Identity.SetRoles(r.Context(), u.ID, roles); err != nil {
		v, verr := c.userView(r, u)
		if verr != nil {
			return verr
		}
		v.Roles = field
		return renderForm(w, r, p, "admin_user", v, err, "roles")
	}
	return seeOther(w, r, userPath(u.ID), "roles")
}

// revokeSession ends one session of the account (identity.Logout, audited
// with the admin as actor). A session of another account is not found.
func (c *Console) revokeSession(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	u, err := c.target(r)
	if err != nil {
		return err
	}
	sessions, err := c.Identity.Sessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	id := r.PostFormValue("session")
	found := false
	for _, s := range sessions {
		found = found || s.ID == id
	}
	if !found {
		return core.ErrNotFound
	}
	if err := c.Identity.Logout(r.Context(), id); err != nil {
		return err
	}
	return seeOther(w, r, userPath(u.ID), "revoked")
}

// setBankProfile sets the user's IIN and phone (bank.SetBankProfile, as
// PUT /admin/v1/users/{ref}/bank-profile: the IIN's check digit checked,
// the phone normalised to E.164, an empty phone removed). The IIN is a
// bank sign-in name, so another user's IIN is refused.
func (c *Console) setBankProfile(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	u, err := c.target(r)
	if err != nil {
		return err
	}
	iin, phone := strings.TrimSpace(r.PostFormValue("iin")), strings.TrimSpace(r.PostFormValue("phone"))
	_, err = c.Bank.SetBankProfile(r.Context(), bank.Profile{UserID: u.ID, IIN: iin, Phone: phone})
	if errors.Is(err, core.ErrExists) {
		err = &core.Error{Kind: core.KindConflict, Code: "iin_taken", Field: "iin", Message: "another user has this IIN"}
	}
	if err != nil {
		v, verr := c.userView(r, u)
		if verr != nil {
			return verr
		}
		v.IIN, v.Phone = iin, phone
		return renderForm(w, r, p, "admin_user", v, err, fieldOf(err, "iin", map[string]string{"iin": "iin", "phone": "phone"}))
	}
	return seeOther(w, r, userPath(u.ID), "bank_profile")
}
