package signout

import (
	"regexp"
	"testing"

	"github.com/gatehouse/gatehouse/internal/web/cataloguetest"
)

// TestEveryMessageIsInEveryLanguage holds the catalogues to the templates
// and the code: every id a page or handler names exists in each language,
// and no language has an id the others lack.
func TestEveryMessageIsInEveryLanguage(t *testing.T) {
	catalogues := cataloguetest.Read(t, files, "signout")
	cataloguetest.SameIDs(t, "signout", catalogues)
	ids := cataloguetest.TemplateIDs(files, regexp.MustCompile(`"(signout\.[a-z_.]+)"`))
	ids = append(ids, "signout.error.request", "signout.error.redirect_uri", "signout.error.client", "signout.error.hint")
	if len(ids) < 14 {
		t.Fatalf("found only %d message ids: the pattern is wrong", len(ids))
	}
	for _, id := range ids {
		if _, ok := catalogues["en"][id]; !ok {
			t.Errorf("%s is used but in no catalogue", id)
		}
	}
}
