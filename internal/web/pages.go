package web

import (
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"
)

// files are the pages' own templates, catalogues, stylesheet and script.
//
//go:embed templates locales assets
var files embed.FS

// New checks cfg (a struct literal of the pages' dependencies), parses
// every page of the pages and of the areas and loads their catalogues. A
// template or catalogue that does not parse stops the start.
func New(cfg Pages, areas ...Area) (*Pages, error) {
	p := &cfg
	if p.Identity == nil || p.Factors == nil || p.Credentials == nil || p.CredentialPEM == nil || p.Sealer == nil {
		return nil, errors.New("web: Identity, Factors, Credentials, CredentialPEM and Sealer are required")
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	p.secure = strings.HasPrefix(p.PublicURL, "https://")
	p.csp = contentSecurityPolicy(p.Brand.LogoURL)
	p.areas = areas
	p.pages = map[string]*page{}
	p.bundle = newBundle()
	if err := p.parsePages(files); err != nil {
		return nil, err
	}
	if err := loadCatalogues(p.bundle, files); err != nil {
		return nil, err
	}
	for _, a := range areas {
		if err := p.parsePages(a.Files); err != nil {
			return nil, err
		}
		if err := loadCatalogues(p.bundle, a.Files); err != nil {
			return nil, err
		}
	}
	assets, _ := fs.Sub(files, "assets")
	p.assets = http.StripPrefix("/assets/", http.FileServerFS(assets))
	return p, nil
}

// Mount registers the pages' routes and then every area's.
func (p *Pages) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /assets/", p.asset)
	p.Handle(mux, "GET /{$}", p.home)
	p.Handle(mux, "POST /logout", p.logout)
	p.mountSignIn(mux)
	p.mountAccounts(mux)
	for _, a := range p.areas {
		if a.Mount != nil {
			a.Mount(p, mux)
		}
	}
}

// asset serves the stylesheet, the script and the operator's logo file.
// They change only with a new binary (or logo setting), so browsers may
// keep them a day.
func (p *Pages) asset(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Path == "/assets/logo" && len(p.Brand.Logo) > 0 {
		h.Set("Content-Type", p.Brand.LogoType)
		// An SVG logo runs no script here: the CSP forbids it.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		_, _ = w.Write(p.Brand.Logo)
		return
	}
	// Only names an fs.FS can hold are looked up: http.FileServerFS answers
	// others (bytes that are not UTF-8, "..") with a 500. A missing asset
	// is the error page, as every other refusal of the pages.
	name := strings.TrimPrefix(r.URL.Path, "/assets/")
	if name == "" || !fs.ValidPath(name) || !utf8.ValidString(name) {
		p.fail(w, r, errNotFound)
		return
	}
	if _, err := fs.Stat(files, "assets/"+name); err != nil {
		p.fail(w, r, errNotFound)
		return
	}
	p.assets.ServeHTTP(w, r)
}

// home sends a visitor to the cabinet, which sends an anonymous one on
// to sign in.
func (p *Pages) home(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
