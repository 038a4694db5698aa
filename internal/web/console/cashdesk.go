package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// The cashdesk door's registry: cash registers (with the cashiers who may
// open shifts on them) and developers, as /admin/v1/registers and
// /admin/v1/developers manage them.

func (c *Console) mountCashdesk(h func(string, handler)) {
	h("GET /admin/registers", c.registers)
	h("POST /admin/registers", c.createRegister)
	h("POST /admin/registers/{id}/users", c.assignRegister)
	h("GET /admin/developers", c.developers)
	h("POST /admin/developers", c.createDeveloper)
}

type registersView struct {
	Registers            []cashdesk.Register
	Emails               map[int64]string // cashier's user id → e-mail address
	FiscalNumber, Name   string           // the new register's form
	AssignTo, AssignUser string           // the assignment form that was refused
}

func (c *Console) registersView(r *http.Request) (registersView, error) {
	list, err := c.Cashdesk.Registers(r.Context())
	if err != nil {
		return registersView{}, err
	}
	v := registersView{Registers: list, Emails: map[int64]string{}}
	for _, reg := range list {
		for _, id := range reg.UserIDs {
			if _, seen := v.Emails[id]; seen {
				continue
			}
			u, err := c.Identity.FindUser(r.Context(), strconv.FormatInt(id, 10))
			if err != nil && !errors.Is(err, core.ErrNotFound) {
				return v, err
			}
			v.Emails[id] = u.Email
		}
	}
	return v, nil
}

func (c *Console) registers(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	v, err := c.registersView(r)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_registers", Data: v, Notice: notice(r)})
	return nil
}

// createRegister adds a cash register (cashdesk.CreateRegister checks the
// fiscal number).
func (c *Console) createRegister(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	fiscal, name := r.PostFormValue("fiscal_number"), r.PostFormValue("name")
	if _, err := c.Cashdesk.CreateRegister(r.Context(), fiscal, name); err != nil {
		v, verr := c.registersView(r)
		if verr != nil {
			return verr
		}
		v.FiscalNumber, v.Name = fiscal, name
		field := "fiscal_number"
		if e := (*core.Error)(nil); errors.As(err, &e) && e.Field == "name" {
			field = "name"
		}
		return renderForm(w, r, p, "admin_registers", v, err, field)
	}
	return seeOther(w, r, "/admin/registers", "register")
}

// assignRegister lets a user (id, UUID or e-mail) open shifts on the
// register.
func (c *Console) assignRegister(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return core.ErrNotFound
	}
	ref := r.PostFormValue("user")
	u, err := c.Identity.FindUser(r.Context(), ref)
	if err == nil {
		_, err = c.Cashdesk.AssignRegister(r.Context(), id, u.ID)
	}
	if err != nil {
		v, verr := c.registersView(r)
		if verr != nil {
			return verr
		}
		v.AssignTo, v.AssignUser = r.PathValue("id"), ref
		return renderForm(w, r, p, "admin_registers", v, err, "user-"+v.AssignTo)
	}
	return seeOther(w, r, "/admin/registers", "register")
}

type developersView struct {
	Developers []cashdesk.Developer
	Name       string
}

func (c *Console) developers(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	list, err := c.Cashdesk.Developers(r.Context())
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_developers", Data: developersView{Developers: list}, Notice: notice(r)})
	return nil
}

func (c *Console) createDeveloper(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	name := r.PostFormValue("name")
	if _, err := c.Cashdesk.CreateDeveloper(r.Context(), name); err != nil {
		list, lerr := c.Cashdesk.Developers(r.Context())
		if lerr != nil {
			return lerr
		}
		return renderForm(w, r, p, "admin_developers", developersView{Developers: list, Name: name}, err, "name")
	}
	return seeOther(w, r, "/admin/developers", "developer")
}
