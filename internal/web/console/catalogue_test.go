package console

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
// and the code: every id a console page or handler names exists in each
// language, and no language has an id the others lack.
func TestEveryMessageIsInEveryLanguage(t *testing.T) {
	catalogues := map[string]map[string]string{}
	for _, lang := range web.Languages {
		b, err := fs.ReadFile(files, "locales/admin."+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("admin.%s.json: %v", lang, err)
		}
		catalogues[lang] = m
	}
	en := slices.Sorted(maps.Keys(catalogues["en"]))
	for lang, m := range catalogues {
		if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, en) {
			t.Errorf("admin.%s.json has other ids than admin.en.json", lang)
		}
	}
	used := regexp.MustCompile(`"(admin\.[a-z_]+\.[a-z_]+|admin\.[a-z_]+)"`)
	var ids []string
	_ = fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, path)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			ids = append(ids, m[1])
		}
		return nil
	})
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
