// Package console is the admin console of the hosted pages (/admin): the
// operator's pages over the same core calls as the admin API
// (internal/door/admin), for a person signed in through the pages whose
// account holds the admin role. It is an area of internal/web: its
// templates, catalogues (area "admin": en, ru, uk) and routes are its own,
// and every route goes through web.Pages.Handle (security headers, CSRF,
// the session). Every change it makes is audited by the core with the
// signed-in admin as actor ("admin:ID", as the admin API names an admin
// user). The admin token stays an API credential: it never signs a browser
// in. docs/pages.md describes the console.
package console

import (
	"context"
	"embed"
	"net/http"
	"slices"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/web"
)

//go:embed templates locales
var files embed.FS

// RotatedKey is a new signing key: its kid and when it starts signing.
type RotatedKey struct {
	KID        string
	ActiveFrom string // RFC 3339
	Immediate  bool
}

// Console is the admin console: a struct of exactly its dependencies.
type Console struct {
	Identity *identity.Service
	Bank     *bank.Service     // customers, roles, memberships, clients
	Cashdesk *cashdesk.Service // cash registers and developers
	// RotateKeys makes a new signing key and audits it, as the admin API's
	// POST /admin/v1/keys/rotate does (the one function both call).
	RotateKeys func(ctx context.Context, immediate bool) (RotatedKey, error)
}

// Area is the console as an area of the hosted pages.
func (c *Console) Area() web.Area {
	return web.Area{Name: "admin", Files: files, Mount: c.mount}
}

// handler is a console page: the signed-in admin is in the request's
// context (as its audit actor) and passed along.
type handler func(w http.ResponseWriter, r *http.Request, p *web.Pages, admin identity.User) error

func (c *Console) mount(p *web.Pages, mux *http.ServeMux) {
	h := func(pattern string, fn handler) { p.Handle(mux, pattern, c.guard(p, fn)) }
	h("GET /admin", c.home)
	c.mountUsers(h)
	c.mountAudit(h)
	c.mountKeys(h)
	c.mountBank(h)
	c.mountClients(h)
	c.mountCashdesk(h)
}

// guard admits the person signed in in this browser when their account
// holds the admin role: an anonymous visitor is sent to sign in (and
// back), anyone else gets the 403 page. The request's caller then names
// the admin as actor, so that every audit row the core writes for this
// request says who did it.
func (c *Console) guard(p *web.Pages, fn handler) web.Handler {
	return p.RequireSignIn(func(w http.ResponseWriter, r *http.Request) error {
		login, ok := p.SignedIn(r)
		if !ok { // RequireSignIn saw a session that has just ended
			return core.ErrUnauthenticated
		}
		u, err := c.Identity.FindUser(r.Context(), login.AccountID)
		if err != nil {
			return err
		}
		if !slices.Contains(u.Roles, identity.AdminRole) {
			p.Render(w, r, web.Page{Name: "admin_forbidden", Status: http.StatusForbidden})
			return nil
		}
		ctx := core.WithActor(r.Context(), Actor(u.ID))
		return fn(w, r.WithContext(ctx), p, u)
	})
}

// Actor is how the audit log names an admin user acting: the admin API's
// name for the same person ("admin:ID").
func Actor(userID int64) string { return "admin:" + strconv.FormatInt(userID, 10) }

// home is the console's first page: its sections and the user search.
func (c *Console) home(w http.ResponseWriter, r *http.Request, p *web.Pages, _ identity.User) error {
	p.Render(w, r, web.Page{Name: "admin_home"})
	return nil
}

// seeOther answers a form's POST with 303 to a page of the console
// (Post/Redirect/Get: a reload never sends the form again), carrying a
// notice id the page shows.
func seeOther(w http.ResponseWriter, r *http.Request, path, notice string) error {
	if notice != "" {
		path += sep(path) + "done=" + notice
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

func sep(path string) string {
	if slices.Contains([]byte(path), '?') {
		return "&"
	}
	return "?"
}
