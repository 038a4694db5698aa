package web

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The pages' sets are checked at start and parsed for good only when a page
// is first rendered (render.go): a broken page still stops the start, and a
// page nobody opens holds no memory.
func TestAPageIsCheckedAtStartAndParsedForGoodOnFirstUse(t *testing.T) {
	p := &Pages{pages: map[string]*page{}}
	if err := p.parsePages(files); err != nil {
		t.Fatal(err)
	}
	login, ok := p.pages["login"]
	if !ok || len(p.pages) < 5 {
		t.Fatalf("pages registered: %d, login among them: %v", len(p.pages), ok)
	}
	for name, pg := range p.pages {
		if pg.t != nil {
			t.Fatalf("page %s kept its set from the start-up check", name)
		}
	}
	first, err := login.template()
	if err != nil || first == nil || first.Lookup("main") == nil {
		t.Fatalf("login's set: %v, %v", first, err)
	}
	if again, _ := login.template(); again != first {
		t.Fatal("login's set was parsed a second time")
	}
	if p.pages["register"].t != nil {
		t.Fatal("rendering one page parsed another")
	}

	broken := fstest.MapFS{"templates/oops.html": {Data: []byte(`{{define "main"}}{{if}}{{end}}`)}}
	err = (&Pages{pages: map[string]*page{}}).parsePages(broken)
	if err == nil || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("a page that does not parse: %v, want an error naming it", err)
	}
	dup := fstest.MapFS{"templates/login.html": {Data: []byte(`{{define "main"}}x{{end}}`)}}
	if err := p.parsePages(dup); err == nil || !strings.Contains(err.Error(), "two pages") {
		t.Fatalf("a second page named login: %v", err)
	}
}
