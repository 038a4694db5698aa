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
)

// Templates follow golang/pkgsite's habit: one template set per page (the
// layout, the shared partials and the page), parsed once at start from the
// embedded files, so a template error stops the start rather than a
// request. A page defines "title" and "main"; every string comes from the
// catalogues through View.T.

// parsePages parses every templates/*.html of fsys (but the layout and
// partials, which web's own files hold) as a page over the shared layout.
func (p *Pages) parsePages(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return err
	}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		if page == "layout" {
			continue
		}
		if _, dup := p.pages[page]; dup {
			return fmt.Errorf("web: two pages named %q", page)
		}
		t, err := template.New("layout").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials/*.html")
		if err != nil {
			return fmt.Errorf("web: layout: %w", err)
		}
		if partials, _ := fs.Glob(fsys, "templates/partials/*.html"); fsys != fs.FS(files) && len(partials) > 0 {
			// An area's own partials, shared by its pages.
			if t, err = t.ParseFS(fsys, "templates/partials/*.html"); err != nil {
				return fmt.Errorf("web: partials of %s: %w", name, err)
			}
		}
		if t, err = t.ParseFS(fsys, name); err != nil {
			return fmt.Errorf("web: page %s: %w", name, err)
		}
		p.pages[page] = t
	}
	return nil
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
	t, ok := p.pages[pg.Name]
	if !ok {
		p.Log.ErrorContext(r.Context(), "web: no such page", "page", pg.Name)
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
