package consent

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web/cataloguetest"
)

// Every message of the page is in each language, every scope the server
// offers is said in words, and the buttons the tests press are exact in
// English.
func TestTheConsentCataloguesSayEveryScopeInEveryLanguage(t *testing.T) {
	catalogues := cataloguetest.Read(t, files, "consent")
	cataloguetest.SameIDs(t, "consent", catalogues)
	for lang, m := range catalogues {
		for _, sc := range oauth.Scopes() {
			if m["consent.scope."+sc] == "" {
				t.Errorf("consent.%s.json does not say scope %s in words", lang, sc)
			}
		}
	}
	en := catalogues["en"]
	for id, name := range map[string]string{"consent.allow": "Allow", "consent.deny": "Deny"} {
		if en[id] != name {
			t.Errorf("%s = %q, want %q", id, en[id], name)
		}
	}
}
