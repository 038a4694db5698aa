package consent

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web/cataloguetest"
)

// Every message of the page is in each language (the scopes in words are
// the shared catalogue's: web.TestEveryScopeIsSaidInWordsOnceForEveryPage),
// no scope is worded here again, and the buttons the tests press are exact
// in English.
func TestTheConsentCataloguesHaveEveryMessageInEveryLanguage(t *testing.T) {
	catalogues := cataloguetest.Read(t, files, "consent")
	cataloguetest.SameIDs(t, "consent", catalogues)
	for lang, m := range catalogues {
		for _, sc := range oauth.Scopes() {
			if _, ok := m["consent.scope."+sc]; ok {
				t.Errorf("consent.%s.json words scope %s again: the pages share web's scope.%s", lang, sc, sc)
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
