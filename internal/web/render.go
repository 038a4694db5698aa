package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
)

// Templates follow golang/pkgsite's habit: one template set per page (the
// layout, the shared partials and the page). Every set is parsed at start
// from the embedded files, so a template error stops the start rather than
// a request, and then dropped: a page's set is parsed again when the page
// is first rendered and kept from then on. The sets of all pages, each with
// its own copy of the layout and partials, were half the server's live heap
// (5.6 of 10.7 MiB), and the collector lets the heap grow to twice what is
// live before it runs: a node that serves only the API doors never needs
// them, and one that serves the pages keeps only the pages people open
// (BENCHMARKS.md, issue 13: the heap's goal under load 16 → 9 MiB). A page
// defines "title" and "main"; every string comes from the catalogues
// through View.T.

// page is one page's template set, parsed on first use.
type page struct {
	once  sync.Once
	parse func() (*template.Template, error)
	t     *template.Template
	err   error
}

// template returns the page's set, parsing it the first time; a set that
// parsed at start parses again (the files are embedded).
func (pg *page) template() (*template.Template, error) {
	pg.once.Do(func() { pg.t, pg.err = pg.parse() })
	return pg.t, pg.err
}

// parsePages checks every templates/*.html of fsys (but the layout and
// partials, which web's own files hold) as a page over the shared layout,
// and registers it to be parsed on first use.
func (p *Pages) parsePages(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return err
	}
	for _, name := range names {
		pageName := strings.TrimSuffix(path.Base(name), ".html")
		if pageName == "layout" {
			continue
		}
		if _, dup := p.pages[pageName]; dup {
			return fmt.Errorf("web: two pages named %q", pageName)
		}
		parse := func() (*template.Template, error) { return parsePage(fsys, name) }
		if _, err := parse(); err != nil {
			return err
		}
		p.pages[pageName] = &page{parse: parse}
	}
	return nil
}

// parsePage parses the set of the page in file name of fsys.
func parsePage(fsys fs.FS, name string) (*template.Template, error) {
	t, err := template.New("layout").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	if fsys != fs.FS(files) { // an area's own partials, when it has any
		if ps, _ := fs.Glob(fsys, "templates/partials/*.html"); len(ps) > 0 {
			if t, err = t.ParseFS(fsys, "templates/partials/*.html"); err != nil {
				return nil, fmt.Errorf("web: partials of page %s: %w", name, err)
			}
		}
	}
	if t, err = t.ParseFS(fsys, name); err != nil {
		return nil, fmt.Errorf("web: page %s: %w", name, err)
	}
	return t, nil
}

// funcs are the templates' helpers: dict builds a partial's arguments.
var funcs = template.FuncMap{"dict": func(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is no string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}}

// View is what every template sees: the page's own data in Data, the
// field errors of a form, and what the layout shows (brand, language,
// who is signed in, the CSRF token of its forms).
type View struct {
	Page    string
	Lang    string
	Langs   []string
	Brand   Brand
	LogoURL string
	CSRF    string
	Email   string            // the signed-in user's, "" when nobody is
	Path    string            // the request's path, for the language links
	Notice  string            // a message id shown above the page's content
	Errors  map[string]string // form field → message (already translated)
	Data    any
	p       *Pages
}

// T is the message id in the page's language; args are pairs of a
// placeholder's name and its value.
func (v View) T(id string, args ...any) string { return v.p.localize(v.Lang, id, args...) }

// Err is the error of a form field, "" when none.
func (v View) Err(field string) string { return v.Errors[field] }

// LangURL is the current page in another language.
func (v View) LangURL(lang string) string { return v.Path + "?lang=" + url.QueryEscape(lang) }

// Page is one answer: a page name (templates/NAME.html), its status, data
// and form errors.
type Page struct {
	Name   string
	Status int // 0: 200
	Data   any
	Notice string            // a message id
	Errors map[string]string // field → message id
}

// Render writes a page. The page is rendered into memory first, so a
// template failure answers a clean 500 instead of half a page.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, pg Page) {
	set, ok := p.pages[pg.Name]
	if !ok {
		p.Log.ErrorContext(r.Context(), "web: no such page", "page", pg.Name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	t, err := set.template()
	if err != nil { // parsed at start, so only if the binary changed under us
		p.Log.ErrorContext(r.Context(), "web: parse", "page", pg.Name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := p.view(w, r, pg)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		p.Log.ErrorContext(r.Context(), "web: render", "page", pg.Name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	status := pg.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// view fills the layout's part of a page.
func (p *Pages) view(w http.ResponseWriter, r *http.Request, pg Page) View {
	pr, signedIn := p.principal(r)
	locale := ""
	if signedIn {
		locale = pr.User.Locale
	}
	v := View{Page: pg.Name, Lang: p.language(w, r, locale), Langs: Languages, Brand: p.Brand, Path: r.URL.Path,
		Data: pg.Data, Notice: pg.Notice, p: p}
	v.LogoURL = p.Brand.LogoURL
	if len(p.Brand.Logo) > 0 {
		v.LogoURL = "/assets/logo"
	}
	if signedIn {
		v.Email = pr.User.Email
	}
	v.CSRF = p.csrfToken(w, r)
	if len(pg.Errors) > 0 {
		v.Errors = make(map[string]string, len(pg.Errors))
		for field, id := range pg.Errors {
			v.Errors[field] = v.T(id)
		}
	}
	return v
}

// Lang is the language a request's page is shown in (the same choice the
// layout makes), for handlers that mail or store it.
func (p *Pages) Lang(w http.ResponseWriter, r *http.Request) string {
	locale := ""
	if pr, ok := p.principal(r); ok {
		locale = pr.User.Locale
	}
	return p.language(w, r, locale)
}
