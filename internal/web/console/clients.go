package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/admin"
	"github.com/gatehouse/gatehouse/internal/web"
)

// OAuth clients of the one registry (the standard door's and the bank
// door's): list, register, edit, rotate the secret, delete, by RFC 7591's
// metadata, read as the admin API reads it (admin.ClientForm) and changed
// through the bank domain's calls, which audit each change (admin.client)
// with the signed-in admin as actor. A secret is shown once, on the page
// that answers its creation, in an element with data-secret.

func (c *Console) mountClients(h func(string, handler)) {
	h("GET /admin/clients", c.clients)
	h("POST /admin/clients", c.createClient)
	h("GET /admin/clients/{id}", c.client)
	h("POST /admin/clients/{id}", c.updateClient)
	h("POST /admin/clients/{id}/secret", c.rotateSecret)
	h("GET /admin/clients/{id}/delete", c.deleteConfirm)
	h("POST /admin/clients/{id}/delete", c.deleteClient)
}

// clientFields are the form's fields, by their RFC 7591 names; a refusal
// naming one is shown next to it (admin.clients.bad_<field>).
var clientFields = []string{"client_id", "client_name", "redirect_uris", "post_logout_redirect_uris", "grant_types",
	"response_types", "token_endpoint_auth_method", "scope", "jwks", "resources"}

// authMethods are the choices of token_endpoint_auth_method.
var authMethods = []string{bank.AuthSecretBasic, bank.AuthSecretPost, bank.AuthPrivateKeyJWT, bank.AuthNone}

// clientForm is the form as typed: lists one per line, or, for grant and
// response types, separated by spaces.
type clientForm struct {
	ClientID, ClientName, RedirectURIs, PostLogoutRedirectURIs string
	GrantTypes, ResponseTypes, AuthMethod, Scope, JWKS         string
	Resources                                                  string
	SkipConsent                                                bool
	Methods                                                    []string
}

func formOf(f admin.ClientForm) clientForm {
	return clientForm{ClientID: f.ClientID, ClientName: f.ClientName, RedirectURIs: strings.Join(f.RedirectURIs, "\n"),
		PostLogoutRedirectURIs: strings.Join(f.PostLogoutRedirectURIs, "\n"), GrantTypes: strings.Join(f.GrantTypes, " "),
		ResponseTypes: strings.Join(f.ResponseTypes, " "), AuthMethod: f.AuthMethod, Scope: f.Scope, JWKS: f.JWKS,
		Resources: strings.Join(f.Resources, "\n"), SkipConsent: f.SkipConsent, Methods: authMethods}
}

// postedForm reads the POSTed form.
func postedForm(r *http.Request) clientForm {
	v := r.PostForm
	return clientForm{ClientID: strings.TrimSpace(v.Get("client_id")), ClientName: strings.TrimSpace(v.Get("client_name")),
		RedirectURIs: v.Get("redirect_uris"), PostLogoutRedirectURIs: v.Get("post_logout_redirect_uris"),
		GrantTypes: v.Get("grant_types"), ResponseTypes: v.Get("response_types"), AuthMethod: v.Get("token_endpoint_auth_method"),
		Scope: v.Get("scope"), JWKS: strings.TrimSpace(v.Get("jwks")), Resources: v.Get("resources"),
		SkipConsent: v.Get("skip_consent") == "on", Methods: authMethods}
}

// metadata is the typed form as RFC 7591 metadata: empty lists are none
// (grant types: the defaults).
func (f clientForm) metadata() admin.ClientForm {
	return admin.ClientForm{ClientID: f.ClientID, ClientName: f.ClientName, RedirectURIs: lines(f.RedirectURIs),
		PostLogoutRedirectURIs: lines(f.PostLogoutRedirectURIs), GrantTypes: strings.Fields(f.GrantTypes),
		ResponseTypes: strings.Fields(f.ResponseTypes), AuthMethod: f.AuthMethod, Scope: f.Scope, JWKS: f.JWKS,
		SkipConsent: f.SkipConsent, Resources: lines(f.Resources)}
}

// lines splits a textarea into its non-blank lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type clientsView struct {
	Clients []bank.Client
	Form    clientForm
}

type clientView struct {
	Client bank.Client
	Form   clientForm
}

// secretView is the page that shows a secret once.
type secretView struct {
	ClientID, Secret string
	Created          bool
}

func (c *Console) clients(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	return c.renderClients(w, r, p, formOf(admin.ClientForm{AuthMethod: bank.AuthSecretBasic}), nil)
}

func (c *Console) renderClients(w http.ResponseWriter, r *http.Request, p *web.Pages, f clientForm, refusal error) error {
	list, err := c.Bank.Clients(r.Context())
	if err != nil {
		return err
	}
	v := clientsView{Clients: list, Form: f}
	if refusal != nil {
		return renderClientForm(w, r, p, "admin_clients", v, refusal)
	}
	p.Render(w, r, web.Page{Name: "admin_clients", Data: v, Notice: notice(r)})
	return nil
}

// createClient registers a client (POST /admin/v1/clients): a
// confidential one's secret is shown once, on the answer's page.
func (c *Console) createClient(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	f := postedForm(r)
	var spec bank.ClientSpec
	err := f.metadata().Apply(&spec)
	if err == nil && spec.ID == "" {
		err = core.Invalid("missing_field", "client_id", "client_id is required")
	}
	var cl bank.Client
	var secret string
	if err == nil {
		cl, secret, err = c.Bank.CreateClient(r.Context(), spec)
	}
	if err != nil {
		return c.renderClients(w, r, p, f, err)
	}
	if secret == "" {
		return seeOther(w, r, "/admin/clients/"+cl.ID, "client_created")
	}
	p.Render(w, r, web.Page{Name: "admin_client_secret", Status: http.StatusCreated,
		Data: secretView{ClientID: cl.ID, Secret: secret, Created: true}})
	return nil
}

// client shows a client's form.
func (c *Console) client(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	cl, err := c.Bank.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f, _ := admin.FormOf(cl)
	p.Render(w, r, web.Page{Name: "admin_client", Data: clientView{Client: cl, Form: formOf(f)}, Notice: notice(r)})
	return nil
}

// updateClient replaces the client's RFC 7591 metadata with the form's
// (PUT /admin/v1/clients/{id}); its bank fields (user types, lifetimes,
// origins) stay.
func (c *Console) updateClient(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	cl, err := c.Bank.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := postedForm(r)
	f.ClientID = cl.ID // the id does not change
	_, spec := admin.FormOf(cl)
	spec.GrantTypes = nil // the form's, or the defaults
	if err = f.metadata().Apply(&spec); err == nil {
		_, err = c.Bank.UpdateClient(r.Context(), spec)
	}
	if err != nil {
		return renderClientForm(w, r, p, "admin_client", clientView{Client: cl, Form: f}, err)
	}
	return seeOther(w, r, "/admin/clients/"+cl.ID, "client_updated")
}

// rotateSecret gives the client a new secret, shown once (POST
// /admin/v1/clients/{id}/secret); the old one stops at once.
func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	id := r.PathValue("id")
	secret, err := c.Bank.RotateClientSecret(r.Context(), id)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_client_secret", Data: secretView{ClientID: id, Secret: secret}})
	return nil
}

func (c *Console) deleteConfirm(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	cl, err := c.Bank.Client(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_client_delete", Data: cl})
	return nil
}

// deleteClient removes the client (DELETE /admin/v1/clients/{id}).
func (c *Console) deleteClient(w http.ResponseWriter, r *http.Request, _ *web.Pages, _ identity.User) error {
	if err := c.Bank.DeleteClient(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/clients", "client_deleted")
}

// renderClientForm shows a refused client form with the refusal next to
// the field it names (the core's names: RFC 7591's, and the bank's id).
func renderClientForm(w http.ResponseWriter, r *http.Request, p *web.Pages, page string, data any, err error) error {
	field := "client_id"
	var e *core.Error
	if errors.As(err, &e) {
		switch f := e.Field; {
		case slices.Contains(clientFields, f):
			field = f
		case f == "name":
			field = "client_name"
		case f == "confidential":
			field = "token_endpoint_auth_method"
		}
	}
	errs, status, ok := formError(w, err, field)
	if !ok {
		return err
	}
	if core.KindOf(err) == core.KindInvalid && errs[field] == "admin.error.invalid" {
		errs[field] = "admin.clients.bad_" + field
	}
	p.Render(w, r, web.Page{Name: page, Status: status, Data: data, Errors: errs})
	return nil
}
