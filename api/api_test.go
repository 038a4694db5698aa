package api_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/api"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// load parses and validates a rendered document.
func load(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("rendered document is not valid OpenAPI: %v", err)
	}
	return doc
}

func TestTheRenderedDocumentNamesThePublicURLAndTheSources(t *testing.T) {
	doc := load(t, api.Rendered("https://id.example.com/auth", []string{"shop", `odd "one"`}))
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://id.example.com/auth" {
		t.Fatalf("servers = %+v, want the public URL alone", doc.Servers)
	}
	enum := doc.Components.Schemas["Source"].Value.Enum
	if len(enum) != 2 || enum[0] != "shop" || enum[1] != `odd "one"` {
		t.Fatalf("Source enum = %v", enum)
	}
}

func TestTheDocumentAsCommittedNamesTheDefaults(t *testing.T) {
	// The file itself is what linters and the client generator read: its
	// server and sources are the defaults, as a server without settings
	// would render them.
	def := config.Default()
	doc := load(t, api.Rendered(def.PublicURL, def.SourceList()))
	raw := load(t, []byte(api.Document()))
	if raw.Servers[0].URL != doc.Servers[0].URL {
		t.Fatalf("the file's server %q is not the default public URL %q", raw.Servers[0].URL, doc.Servers[0].URL)
	}
	got, want := raw.Components.Schemas["Source"].Value.Enum, doc.Components.Schemas["Source"].Value.Enum
	if len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("the file's Source enum %v is not the default %v", got, want)
	}
}

func TestTheServedDocumentNamesTheConfiguredPublicURL(t *testing.T) {
	e := testenv.New(t, testenv.Options{Config: func(c *config.Config) { c.PublicURL = "https://login.example.net" }})
	r := e.DoRaw("GET", "/openapi.yaml", nil)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	doc := load(t, r.Body)
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://login.example.net" {
		t.Fatalf("served servers = %+v, want https://login.example.net", doc.Servers)
	}
}
