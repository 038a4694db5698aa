// Package consent is the OpenID door's consent page (/oauth2/consent), an
// area of the hosted pages (internal/web): a signed-in user is asked
// whether a client not marked skip_consent may have the scopes its
// authorization request asks for (OpenID Connect Core 1.0 §3.1.2.4). The
// request stays server-side (oauth.(*Service).Keep): the page names it by
// request_id, reads the client and the scopes from the domain, and never
// from the form. Allow and Deny are recorded by the domain
// (oauth.(*Service).AnswerConsent) and continue the request at the door
// (/oauth2/authorize?request_id=), which issues the code or redirects
// access_denied with state and iss. docs/pages.md "The consent page".
package consent

import (
	"embed"
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web"
)

// files are the page's template and its catalogues (area "consent").
//
//go:embed templates locales
var files embed.FS

// Path is the consent page; the door sends the browser to it
// (oidc.Door.ConsentPath).
const Path = "/oauth2/consent"

// Page is the consent page's dependencies beyond the pages' own; build it
// as a struct literal and hand Area to web.New.
type Page struct {
	OAuth *oauth.Service
}

// Area is the consent page as an area of the hosted pages.
func (c Page) Area() web.Area {
	return web.Area{Name: "consent", Files: files, Mount: func(p *web.Pages, mux *http.ServeMux) {
		x := &page{p: p, oauth: c.OAuth}
		p.Handle(mux, "GET "+Path, p.RequireSignIn(x.show))
		p.Handle(mux, "POST "+Path, p.RequireSignIn(x.answer))
	}}
}

type page struct {
	p     *web.Pages
	oauth *oauth.Service
}

// scopeRow is one scope asked: its catalogue id and whether the user has
// not granted it to this client before.
type scopeRow struct {
	Text string
	New  bool
}

type view struct {
	RequestID  string
	ClientName string
	Host       string // the redirect URI's host: where the answer goes back to
	Scopes     []scopeRow
	Again      bool   // some scopes were granted before: only the new ones are asked
	Switch     string // sign in as another account, then continue the request
}

// show asks the question of the kept request ?request_id=.
func (x *page) show(w http.ResponseWriter, r *http.Request) error {
	pr, ok := x.p.Principal(r)
	if !ok { // RequireSignIn let it through: the session ended meanwhile
		return core.ErrUnauthenticated
	}
	q, err := x.oauth.ConsentQuestion(r.Context(), requestID(r.URL.Query().Get("request_id")), pr.User.ID)
	if err != nil {
		return err
	}
	v := view{RequestID: q.RequestID, ClientName: core.DisplayText(q.Client.Name, 120), Again: len(q.New) < len(q.Scopes)}
	if v.ClientName == "" {
		v.ClientName = core.DisplayText(q.Client.ID, 120)
	}
	if u, err := url.Parse(q.RedirectURI); err == nil {
		v.Host = u.Host
	}
	for _, sc := range q.Scopes {
		v.Scopes = append(v.Scopes, scopeRow{Text: web.ScopeMessage(sc), New: slices.Contains(q.New, sc)})
	}
	cont := continueTo(q.RequestID)
	v.Switch = "/login?" + url.Values{"prompt": {"login"}, "continue": {cont}}.Encode()
	x.p.Render(w, r, web.Page{Name: "consent", Data: v})
	return nil
}

// answer records Allow or Deny and continues the request at the door.
func (x *page) answer(w http.ResponseWriter, r *http.Request) error {
	pr, ok := x.p.Principal(r)
	if !ok {
		return core.ErrUnauthenticated
	}
	var allow bool
	switch r.PostFormValue("decision") {
	case "allow":
		allow = true
	case "deny":
	default:
		return errDecision
	}
	id := requestID(r.PostFormValue("request_id"))
	if err := x.oauth.AnswerConsent(r.Context(), id, pr.User, allow); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, continueTo(id), http.StatusSeeOther)
	return nil
}

// continueTo is the door's continuation of a kept request.
func continueTo(id string) string {
	return "/oauth2/authorize?" + url.Values{"request_id": {id}}.Encode()
}

// requestID caps what is looked up: a kept request's id is a UUID
// (oauth.(*Service).Kept refuses anything else as not found).
func requestID(s string) string {
	if len(s) > 64 {
		return ""
	}
	return s
}

// errDecision: the form named neither Allow nor Deny.
var errDecision = &core.Error{Kind: core.KindInvalid, Code: "invalid_form", Message: "the form could not be read"}
