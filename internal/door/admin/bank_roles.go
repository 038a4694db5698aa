package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

type roleRequest struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Chains     [][]string `json:"chains"`
	DeviceSkip bool       `json:"device_skip"`
	SignLevel  string     `json:"sign_level"`
}

func (q roleRequest) role(id int64) bank.CustomerRole {
	return bank.CustomerRole{ID: id, Code: q.Code, Name: q.Name, Chains: q.Chains, DeviceSkip: q.DeviceSkip, SignLevel: q.SignLevel}
}

func (d *Door) listRoles(w http.ResponseWriter, r *http.Request) error {
	list, err := d.Bank.Roles(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Roles []CustomerRole `json:"roles"`
	}{Roles: Views(list, RoleView)}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) createRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	x, err := d.Bank.CreateCustomerRole(r.Context(), req.role(0))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, RoleView(x))
	return nil
}

func (d *Door) showRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := d.Bank.Role(r.Context(), id)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, RoleView(x))
	return nil
}

func (d *Door) updateRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	x, err := d.Bank.UpdateCustomerRole(r.Context(), req.role(id))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, RoleView(x))
	return nil
}

func (d *Door) deleteRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.Bank.DeleteCustomerRole(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Profile is the admin view of a user's bank profile.
type Profile struct {
	UserID    int64  `json:"user_id"`
	IIN       string `json:"iin"`
	Phone     string `json:"phone"`
	UpdatedAt string `json:"updated_at"`
}

// ProfileView converts a core bank profile (shared with the CLI).
func ProfileView(p bank.Profile) Profile {
	return Profile{UserID: p.UserID, IIN: p.IIN, Phone: p.Phone, UpdatedAt: p.UpdatedAt.Format(time.RFC3339)}
}

func (d *Door) showProfile(w http.ResponseWriter, r *http.Request) error {
	u, err := d.user(r)
	if err != nil {
		return err
	}
	p, err := d.Bank.ProfileOf(r.Context(), u.ID)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, ProfileView(p))
	return nil
}

func (d *Door) putProfile(w http.ResponseWriter, r *http.Request) error {
	u, err := d.user(r)
	if err != nil {
		return err
	}
	var req struct {
		IIN   string `json:"iin"`
		Phone string `json:"phone"`
	}
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	p, err := d.Bank.SetBankProfile(r.Context(), bank.Profile{UserID: u.ID, IIN: req.IIN, Phone: req.Phone})
	if errors.Is(err, core.ErrExists) {
		return &core.Error{Kind: core.KindConflict, Code: "iin_taken", Field: "iin", Message: "another user has this IIN"}
	}
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, ProfileView(p))
	return nil
}
