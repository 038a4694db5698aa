package admin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// The bank door's registry: OAuth clients, customers, their roles (with
// the auth-factor policy) and memberships, and users' bank profiles.

// MountBank registers the bank registry's routes.
func (d *Door) MountBank(mux *http.ServeMux) {
	h := func(fn httpjson.Handler) http.Handler { return d.JSON.H(d.authorize(fn)) }
	mux.Handle("GET /admin/v1/clients", h(d.listClients))
	mux.Handle("POST /admin/v1/clients", h(d.createClient))
	mux.Handle("GET /admin/v1/clients/{id}", h(d.showClient))
	mux.Handle("PUT /admin/v1/clients/{id}", h(d.updateClient))
	mux.Handle("DELETE /admin/v1/clients/{id}", h(d.deleteClient))
	mux.Handle("POST /admin/v1/clients/{id}/secret", h(d.rotateClientSecret))
	mux.Handle("GET /admin/v1/customers", h(d.listCustomers))
	mux.Handle("POST /admin/v1/customers", h(d.createCustomer))
	mux.Handle("GET /admin/v1/customers/{id}", h(d.showCustomer))
	mux.Handle("PUT /admin/v1/customers/{id}", h(d.updateCustomer))
	mux.Handle("DELETE /admin/v1/customers/{id}", h(d.deleteCustomer))
	mux.Handle("GET /admin/v1/customers/{id}/members", h(d.listMembers))
	mux.Handle("PUT /admin/v1/customers/{id}/members/{ref}", h(d.putMember))
	mux.Handle("DELETE /admin/v1/customers/{id}/members/{ref}", h(d.deleteMember))
	mux.Handle("GET /admin/v1/customer-roles", h(d.listRoles))
	mux.Handle("POST /admin/v1/customer-roles", h(d.createRole))
	mux.Handle("GET /admin/v1/customer-roles/{id}", h(d.showRole))
	mux.Handle("PUT /admin/v1/customer-roles/{id}", h(d.updateRole))
	mux.Handle("DELETE /admin/v1/customer-roles/{id}", h(d.deleteRole))
	mux.Handle("GET /admin/v1/users/{ref}/bank-profile", h(d.showProfile))
	mux.Handle("PUT /admin/v1/users/{ref}/bank-profile", h(d.putProfile))
}

// Client is the admin view of an OAuth client.
type Client struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Public            bool     `json:"public"`
	GrantTypes        []string `json:"grant_types"`
	UserTypes         []string `json:"user_types"`
	AccessTTLSeconds  int64    `json:"access_ttl_seconds"`
	RefreshTTLSeconds int64    `json:"refresh_ttl_seconds"`
	Origins           []string `json:"origins"`
	CreatedAt         string   `json:"created_at"`
	Secret            string   `json:"secret,omitempty"` // only when just created or rotated
	Registration               // the same client by RFC 7591's names (clients_oauth.go)
}

// ClientView converts a core client (shared with the CLI).
func ClientView(c bank.Client) Client {
	return Client{ID: c.ID, Name: c.Name, Public: c.Public(), GrantTypes: nonNil(c.GrantTypes), UserTypes: nonNil(c.UserTypes),
		AccessTTLSeconds: int64(c.AccessTTL / time.Second), RefreshTTLSeconds: int64(c.RefreshTTL / time.Second),
		Origins: nonNil(c.Origins), CreatedAt: c.CreatedAt.Format(time.RFC3339), Registration: registrationView(c)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type clientRequest struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Confidential      bool     `json:"confidential"`
	GrantTypes        []string `json:"grant_types"`
	UserTypes         []string `json:"user_types"`
	AccessTTLSeconds  int64    `json:"access_ttl_seconds"`
	RefreshTTLSeconds int64    `json:"refresh_ttl_seconds"`
	Origins           []string `json:"origins"`
	registrationRequest
}

// spec reads the request; the bank's names (id, name, confidential) and
// RFC 7591's (client_id, client_name, token_endpoint_auth_method) are
// aliases, and naming one thing twice differently is refused.
func (c clientRequest) spec() (bank.ClientSpec, error) {
	s := bank.ClientSpec{ID: c.ID, Name: c.Name, Confidential: c.Confidential, GrantTypes: c.GrantTypes, UserTypes: c.UserTypes,
		AccessTTL: time.Duration(c.AccessTTLSeconds) * time.Second, RefreshTTL: time.Duration(c.RefreshTTLSeconds) * time.Second, Origins: c.Origins}
	return s, c.registrationRequest.apply(&s)
}

func (d *Door) listClients(w http.ResponseWriter, r *http.Request) error {
	list, err := d.Bank.Clients(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Clients []Client `json:"clients"`
	}{Clients: Views(list, ClientView)}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (d *Door) createClient(w http.ResponseWriter, r *http.Request) error {
	var req clientRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	spec, err := req.spec()
	if err != nil {
		return err
	}
	c, secret, err := d.Bank.CreateClient(r.Context(), spec)
	if err != nil {
		return err
	}
	v := ClientView(c)
	v.Secret, v.ClientSecret = secret, secret
	httpjson.Write(w, http.StatusCreated, v)
	return nil
}

func (d *Door) showClient(w http.ResponseWriter, r *http.Request) error {
	c, err := d.Bank.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, ClientView(c))
	return nil
}

func (d *Door) updateClient(w http.ResponseWriter, r *http.Request) error {
	var req clientRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	if req.ClientID != "" && req.ClientID != id || req.ID != "" && req.ID != id {
		return core.Invalid("invalid_client_metadata", "client_id", "the body names another client than the path")
	}
	req.ID, req.ClientID = id, ""
	spec, err := req.spec()
	if err != nil {
		return err
	}
	c, err := d.Bank.UpdateClient(r.Context(), spec)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, ClientView(c))
	return nil
}

func (d *Door) deleteClient(w http.ResponseWriter, r *http.Request) error {
	if err := d.Bank.DeleteClient(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) rotateClientSecret(w http.ResponseWriter, r *http.Request) error {
	secret, err := d.Bank.RotateClientSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, map[string]string{"secret": secret, "client_secret": secret})
	return nil
}

// pathID reads a numeric path value; a malformed one is a 404.
func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, core.ErrNotFound
	}
	return n, nil
}

// errAsNotFound turns a missing referenced row into 404 for the path.
func errAsNotFound(err error) error {
	if errors.Is(err, core.ErrNotFound) {
		return core.ErrNotFound
	}
	return err
}
