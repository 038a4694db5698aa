package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

// Creating and editing customer roles: bank.CreateCustomerRole and
// UpdateCustomerRole, the calls of POST and PUT /admin/v1/customer-roles,
// audited by the core with the admin as actor. An edit raises the role's
// version, so that bank sessions under the old policy sign in again.

// maxChainsText caps the chains field: 8 chains of 3 factors fit many
// times over.
const maxChainsText = 1000

// roleForm is the create or edit form of a role, as typed.
type roleForm struct {
	Code, Name, Chains, SignLevel string
	DeviceSkip                    bool
}

func readRoleForm(r *http.Request) roleForm {
	return roleForm{Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name"),
		Chains: r.PostFormValue("chains"), SignLevel: strings.TrimSpace(r.PostFormValue("sign_level")),
		DeviceSkip: r.PostFormValue("device_skip") != ""}
}

func formOfRole(x bank.CustomerRole) roleForm {
	return roleForm{Code: x.Code, Name: x.Name, Chains: formatChains(x.Chains), SignLevel: x.SignLevel, DeviceSkip: x.DeviceSkip}
}

// role reads the form into a role with this id (0 for a new one).
func (f roleForm) role(id int64) (bank.CustomerRole, error) {
	chains, err := parseChains(f.Chains)
	if err != nil {
		return bank.CustomerRole{}, err
	}
	return bank.CustomerRole{ID: id, Code: f.Code, Name: f.Name, Chains: chains, DeviceSkip: f.DeviceSkip, SignLevel: f.SignLevel}, nil
}

// parseChains reads the chains field: one chain a line, its factors (the
// bank door's names: TOTP, OTP_SMS, OTP_EMAIL) separated by spaces, commas
// or "+"; blank lines are skipped, and an empty field is a role with no
// factor. The names are upper-cased; bank.CheckChains judges the rest.
func parseChains(text string) ([][]string, error) {
	if len(text) > maxChainsText {
		return nil, core.Invalid("invalid_chains", "chains", "at most 1000 characters")
	}
	chains := [][]string{}
	for _, line := range strings.Split(text, "\n") {
		factors := strings.FieldsFunc(strings.ToUpper(line), func(c rune) bool {
			return c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '+'
		})
		if len(factors) > 0 {
			chains = append(chains, factors)
		}
	}
	return chains, bank.CheckChains(chains)
}

// formatChains writes chains as parseChains reads them.
func formatChains(chains [][]string) string {
	lines := make([]string, len(chains))
	for i, ch := range chains {
		lines[i] = strings.Join(ch, " + ")
	}
	return strings.Join(lines, "\n")
}

// roleFields maps the core's field names to the form's.
var roleFields = map[string]string{"code": "code", "name": "name", "chains": "chains", "sign_level": "name"}

type rolesView struct {
	Roles []bank.CustomerRole
	Form  roleForm // the new role's form
}

func (c *Console) rolesView(r *http.Request, form roleForm) (rolesView, error) {
	list, err := c.Bank.Roles(r.Context())
	return rolesView{Roles: list, Form: form}, err
}

// createRole adds a role (at version 1).
func (c *Console) createRole(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	form := readRoleForm(r)
	x, err := form.role(0)
	if err == nil {
		x, err = c.Bank.CreateCustomerRole(r.Context(), x)
	}
	if err != nil {
		v, verr := c.rolesView(r, form)
		if verr != nil {
			return verr
		}
		return renderForm(w, r, p, "admin_roles", v, err, fieldOf(err, "code", roleFields))
	}
	return seeOther(w, r, rolePath(x.ID), "role_created")
}

func rolePath(id int64) string { return "/admin/roles/" + strconv.FormatInt(id, 10) }

type roleView struct {
	Role bank.CustomerRole
	Form roleForm
}

// targetRole is the role of the path's {id}; a malformed id is a 404.
func (c *Console) targetRole(r *http.Request) (bank.CustomerRole, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return bank.CustomerRole{}, core.ErrNotFound
	}
	return c.Bank.Role(r.Context(), id)
}

// role shows one role with its edit form.
func (c *Console) role(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	x, err := c.targetRole(r)
	if err != nil {
		return err
	}
	p.Render(w, r, web.Page{Name: "admin_role", Data: roleView{Role: x, Form: formOfRole(x)}, Notice: notice(r)})
	return nil
}

// updateRole replaces the role's code, name and policy.
func (c *Console) updateRole(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	old, err := c.targetRole(r)
	if err != nil {
		return err
	}
	form := readRoleForm(r)
	x, err := form.role(old.ID)
	if err == nil {
		_, err = c.Bank.UpdateCustomerRole(r.Context(), x)
	}
	if err != nil {
		return renderForm(w, r, p, "admin_role", roleView{Role: old, Form: form}, err, fieldOf(err, "code", roleFields))
	}
	return seeOther(w, r, rolePath(old.ID), "role_saved")
}
