package console

import (
	"regexp"
	"testing"

	"github.com/gatehouse/gatehouse/internal/web/cataloguetest"
)

// TestEveryMessageIsInEveryLanguage holds the catalogues to the templates
// and the code: every id a console page or handler names exists in each
// language, and no language has an id the others lack.
func TestEveryMessageIsInEveryLanguage(t *testing.T) {
	catalogues := cataloguetest.Read(t, files, "admin")
	cataloguetest.SameIDs(t, "admin", catalogues)
	ids := cataloguetest.TemplateIDs(files, regexp.MustCompile(`"(admin\.[a-z_]+\.[a-z_]+|admin\.[a-z_]+)"`))
	for _, n := range notices {
		ids = append(ids, "admin.done."+n)
	}
	for _, code := range fieldMessages {
		ids = append(ids, "admin.error."+code)
	}
	ids = append(ids, "admin.done.rotated", "admin.error.invalid", "admin.error.not_found", "admin.error.conflict")
	for _, f := range clientFields {
		ids = append(ids, "admin.clients.bad_"+f)
	}
	if len(ids) < 100 {
		t.Fatalf("found only %d message ids in the templates: the pattern is wrong", len(ids))
	}
	for _, id := range ids {
		if _, ok := catalogues["en"][id]; !ok {
			t.Errorf("%s is used but in no catalogue", id)
		}
	}
}
