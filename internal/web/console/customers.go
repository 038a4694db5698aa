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

// Creating and editing bank customers: bank.CreateCustomer and
// UpdateCustomer, the calls of POST and PUT /admin/v1/customers[/{id}],
// audited by the core with the admin as actor.

// customerForm is the create or edit form of a customer, as typed.
type customerForm struct{ ID, Name, ExternalID, BranchCode string }

func readCustomerForm(r *http.Request) customerForm {
	return customerForm{ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"),
		ExternalID: r.PostFormValue("external_id"), BranchCode: r.PostFormValue("branch_code")}
}

func formOfCustomer(c bank.Customer) customerForm {
	return customerForm{ID: strconv.FormatInt(c.ID, 10), Name: c.Name, ExternalID: c.ExternalID, BranchCode: c.BranchCode}
}

// customer reads the form into a customer; an empty number asks the store
// for one, anything else must be a whole number (the core checks its range).
func (f customerForm) customer() (bank.Customer, error) {
	c := bank.Customer{Name: f.Name, ExternalID: f.ExternalID, BranchCode: f.BranchCode}
	if f.ID == "" {
		return c, nil
	}
	id, err := strconv.ParseInt(f.ID, 10, 64)
	if err != nil {
		return c, core.Invalid("invalid_id", "id", "id must be a whole number")
	}
	c.ID = id
	return c, nil
}

// customerFields maps the core's field names to the form's.
var customerFields = map[string]string{"id": "id", "name": "name", "external_id": "external_id", "branch_code": "external_id"}

// createCustomer adds a customer and shows it.
func (c *Console) createCustomer(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	form := readCustomerForm(r)
	cust, err := form.customer()
	if err == nil {
		cust, err = c.Bank.CreateCustomer(r.Context(), cust)
	}
	if err != nil {
		list, total, lerr := c.Bank.Customers(r.Context(), pageSize, 0)
		if lerr != nil {
			return lerr
		}
		v := customersView{Customers: list, Paging: Paging{Total: total, Shown: len(list)}, Form: form}
		field := fieldOf(err, "name", customerFields)
		if errors.Is(err, core.ErrExists) { // the number is taken
			field = "id"
		}
		return renderForm(w, r, p, "admin_customers", v, err, field)
	}
	return seeOther(w, r, customerPath(cust.ID), "customer_created")
}

// updateCustomer changes the customer's name, external id and branch code.
func (c *Console) updateCustomer(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	v, err := c.customerView(r)
	if err != nil {
		return err
	}
	v.Edit = readCustomerForm(r)
	v.Edit.ID = strconv.FormatInt(v.Customer.ID, 10)
	cust := bank.Customer{ID: v.Customer.ID, Name: v.Edit.Name, ExternalID: v.Edit.ExternalID, BranchCode: v.Edit.BranchCode}
	if _, err := c.Bank.UpdateCustomer(r.Context(), cust); err != nil {
		return renderForm(w, r, p, "admin_customer", v, err, fieldOf(err, "name", customerFields))
	}
	return seeOther(w, r, customerPath(v.Customer.ID), "customer_saved")
}
