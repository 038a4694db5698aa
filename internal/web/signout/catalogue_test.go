package signout

import (
	"encoding/json"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/web"
)

// TestEveryMessageIsInEveryLanguage holds the catalogues to the templates
// and the code: every id a page or handler names exists in each language,
// and no language has an id the others lack.
func TestEveryMessageIsInEveryLanguage(t *testing.T) {
	catalogues := map[string]map[string]string{}
	for _, lang := range web.Languages {
		b, err := fs.ReadFile(files, "locales/signout."+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("signout.%s.json: %v", lang, err)
		}
		catalogues[lang] = m
	}
	en := slices.Sorted(maps.Keys(catalogues["en"]))
	for lang, m := range catalogues {
		if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, en) {
			t.Errorf("signout.%s.json has other ids than signout.en.json", lang)
		}
	}
	used := regexp.MustCompile(`"(signout\.[a-z_.]+)"`)
	var ids []string
	for _, dir := range []string{"templates"} {
		names, _ := fs.Glob(files, dir+"/*.html")
		for _, n := range names {
			b, _ := fs.ReadFile(files, n)
			for _, m := range used.FindAllStringSubmatch(string(b), -1) {
				ids = append(ids, m[1])
			}
		}
	}
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
