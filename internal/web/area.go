package web

import (
	"io/fs"
	"net/http"
)

// Area is a part of the hosted pages built in another package or file set
// (the cabinet, the admin console, the OpenID door's consent and device
// pages): its templates, its message catalogues and its routes. New parses
// its templates with the shared layout and loads its catalogues; Mount
// calls its Mount after the pages' own routes. An area edits none of this
// package's files.
type Area struct {
	// Name prefixes the area's message ids ("account.title") and names its
	// catalogues.
	Name string
	// Files holds templates/*.html (one page each; a page defines "title"
	// and "main", and may use the layout's partials) and
	// locales/<Name>.<lang>.json (one catalogue per language of Languages).
	Files fs.FS
	// Mount adds the area's routes, each through Pages.Handle.
	Mount func(p *Pages, mux *http.ServeMux)
}
