package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// The bank door's registry: customers and their members, customer roles
// (with their factor chains). OAuth clients are managed in clients.go.

func (c *Console) mountBank(h func(string, handler)) {
	h("GET /admin/customers", c.customers)
	h("POST /admin/customers", c.createCustomer)
	h("GET /admin/customers/{id}", c.customer)
	h("POST /admin/customers/{id}", c.updateCustomer)
	h("POST /admin/customers/{id}/members", c.setMember)
	h("POST /admin/customers/{id}/members/remove", c.removeMember)
	h("GET /admin/roles", c.roles)
	h("POST /admin/roles", c.createRole)
	h("GET /admin/roles/{id}", c.role)
	h("POST /admin/roles/{id}", c.updateRole)
}

type customersView struct {
	Customers []bank.Customer
	Paging    Paging
	Form      customerForm // the new customer's form
}

func (c *Console) customers(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	q := r.URL.Query()
	off := offset(q)
	list, total, err := c.Bank.Customers(r.Context(), pageSize, off)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_customers", Data: customersView{Customers: list,
		Paging: Paging{Offset: off, Total: total, Shown: len(list), Query: q}}})
	return nil
}

type customerView struct {
	Customer bank.Customer
	Members  []bank.Membership
	Roles    []bank.CustomerRole
	Emails   map[int64]string // member's user id → e-mail address
	User     string           // the membership form's user field
	RoleID   int64
	Edit     customerForm // the customer's edit form
}

func (c *Console) customerView(r *http.Request) (customerView, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return customerView{}, core.ErrNotFound
	}
	var v customerView
	if v.Customer, err = c.Bank.Customer(r.Context(), id); err != nil {
		return v, err
	}
	v.Edit = formOfCustomer(v.Customer)
	if v.Members, err = c.Bank.Members(r.Context(), id); err != nil {
		return v, err
	}
	// A customer's members are a handful of people: one look-up each.
	v.Emails = make(map[int64]string, len(v.Members))
	for _, m := range v.Members {
		if u, err := c.Identity.FindUser(r.Context(), strconv.FormatInt(m.UserID, 10)); err == nil {
			v.Emails[m.UserID] = u.Email
		} else if !errors.Is(err, core.ErrNotFound) {
			return v, err
		}
	}
	v.Roles, err = c.Bank.Roles(r.Context())
	return v, err
}

// customer shows a customer, its members with their roles, and the form
// that makes a user a member (or changes their role).
func (c *Console) customer(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	v, err := c.customerView(r)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_customer", Data: v, Notice: notice(r)})
	return nil
}

func customerPath(id int64) string { return "/admin/customers/" + strconv.FormatInt(id, 10) }

// setMember gives a user (id, UUID or e-mail) a role at the customer
// (bank.SetMembership, as PUT /admin/v1/customers/{id}/members/{ref}).
func (c *Console) setMember(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	v, err := c.customerView(r)
	if err != nil {
		return err
	}
	v.User = r.PostFormValue("user")
	v.RoleID, _ = strconv.ParseInt(r.PostFormValue("role"), 10, 64)
	u, err := c.Identity.FindUser(r.Context(), v.User)
	if err != nil {
		return renderForm(w, r, p, "admin_customer", v, err, "user")
	}
	if _, err := c.Bank.SetMembership(r.Context(), u.ID, v.Customer.ID, v.RoleID); err != nil {
		if errors.Is(err, core.ErrNotFound) { // the role: the user and customer were found
			return renderForm(w, r, p, "admin_customer", v, err, "role")
		}
		return renderForm(w, r, p, "admin_customer", v, err, "user")
	}
	return seeOther(w, r, customerPath(v.Customer.ID), "member_set")
}

// removeMember ends a user's membership of the customer.
func (c *Console) removeMember(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	v, err := c.customerView(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil {
		return core.ErrNotFound
	}
	if err := c.Bank.RemoveMembership(r.Context(), uid, v.Customer.ID); err != nil {
		return err
	}
	return seeOther(w, r, customerPath(v.Customer.ID), "member_removed")
}

func (c *Console) roles(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	v, err := c.rolesView(r, roleForm{})
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_roles", Data: v, Notice: notice(r)})
	return nil
}
