package consent

import (
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web"
)

func catalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(files, "locales/consent."+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("consent.%s.json: %v", lang, err)
	}
	return m
}

// Every message of the page is in each language, every scope the server
// offers is said in words, and the buttons the tests press are exact in
// English.
func TestTheConsentCataloguesSayEveryScopeInEveryLanguage(t *testing.T) {
	en := catalogue(t, "en")
	want := slices.Sorted(maps.Keys(en))
	for _, lang := range web.Languages {
		m := catalogue(t, lang)
		if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, want) {
			t.Errorf("consent.%s.json's ids differ from consent.en.json's", lang)
		}
		for _, sc := range oauth.Scopes() {
			if m["consent.scope."+sc] == "" {
				t.Errorf("consent.%s.json does not say scope %s in words", lang, sc)
			}
		}
	}
	for id, name := range map[string]string{"consent.allow": "Allow", "consent.deny": "Deny"} {
		if en[id] != name {
			t.Errorf("%s = %q, want %q", id, en[id], name)
		}
	}
}
