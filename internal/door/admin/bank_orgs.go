package admin

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Customer is the admin view of a customer.
type Customer struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
	BranchCode string `json:"branch_code"`
	CreatedAt  string `json:"created_at"`
}

// CustomerView converts a core customer (shared with the CLI).
func CustomerView(c bank.Customer) Customer {
	return Customer{ID: c.ID, Name: c.Name, ExternalID: c.ExternalID, BranchCode: c.BranchCode, CreatedAt: c.CreatedAt.Format(time.RFC3339)}
}

// CustomerRole is the admin view of a customer role and its policy.
type CustomerRole struct {
	ID         int64      `json:"id"`
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Chains     [][]string `json:"chains"`
	DeviceSkip bool       `json:"device_skip"`
	SignLevel  string     `json:"sign_level"`
	Version    int64      `json:"version"`
}

// RoleView converts a core role (shared with the CLI).
func RoleView(x bank.CustomerRole) CustomerRole {
	ch := x.Chains
	if ch == nil {
		ch = [][]string{}
	}
	return CustomerRole{ID: x.ID, Code: x.Code, Name: x.Name, Chains: ch, DeviceSkip: x.DeviceSkip, SignLevel: x.SignLevel, Version: x.Version}
}

// Member is the admin view of a membership.
type Member struct {
	ID         int64        `json:"id"`
	UserID     int64        `json:"user_id"`
	CustomerID int64        `json:"customer_id"`
	Role       CustomerRole `json:"role"`
	Customer   string       `json:"customer_name"`
}

// MemberView converts a core membership (shared with the CLI).
func MemberView(m bank.Membership) Member {
	return Member{ID: m.ID, UserID: m.UserID, CustomerID: m.CustomerID, Role: RoleView(m.Role), Customer: m.Customer.Name}
}

type customerRequest struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
	BranchCode string `json:"branch_code"`
}

func (d *Door) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, offset, err := paging(q)
	if err != nil {
		return err
	}
	list, total, err := d.Bank.Customers(r.Context(), limit, offset)
	if err != nil {
		return err
	}
	out := struct {
		Customers []Customer `json:"customers"`
		Total     int        `json:"total"`
	}{Customers: Views(list, CustomerView), Total: total}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var req customerRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	c, err := d.Bank.CreateCustomer(r.Context(), bank.Customer{ID: req.ID, Name: req.Name, ExternalID: req.ExternalID, BranchCode: req.BranchCode})
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, CustomerView(c))
	return nil
}

func (d *Door) showCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := d.Bank.Customer(r.Context(), id)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, CustomerView(c))
	return nil
}

func (d *Door) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req customerRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	c, err := d.Bank.UpdateCustomer(r.Context(), bank.Customer{ID: id, Name: req.Name, ExternalID: req.ExternalID, BranchCode: req.BranchCode})
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, CustomerView(c))
	return nil
}

func (d *Door) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.Bank.DeleteCustomer(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) listMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := d.Bank.Members(r.Context(), id)
	if err != nil {
		return err
	}
	out := struct {
		Members []Member `json:"members"`
	}{Members: Views(list, MemberView)}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) putMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := d.user(r)
	if err != nil {
		return err
	}
	var req struct {
		RoleID int64 `json:"role_id"`
	}
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	m, err := d.Bank.SetMembership(r.Context(), u.ID, id, req.RoleID)
	if err != nil {
		return errAsNotFound(err)
	}
	httpjson.Write(w, http.StatusOK, MemberView(m))
	return nil
}

func (d *Door) deleteMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := d.user(r)
	if err != nil {
		return err
	}
	if err := d.Bank.RemoveMembership(r.Context(), u.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
