// Package cataloguetest reads an area's message catalogues and the
// message ids its templates name, for the areas' tests that hold the
// catalogues to the pages (every id in every language, none missing).
// It imports nothing of the server, so an area's internal tests can use it.
package cataloguetest

import (
	"encoding/json"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/web"
)

// Read is locales/<area>.<lang>.json of files for every one of
// web.Languages, by language; a missing or malformed file fails t.
func Read(t testing.TB, files fs.FS, area string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, lang := range web.Languages {
		b, err := fs.ReadFile(files, "locales/"+area+"."+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.%s.json: %v", area, lang, err)
		}
		out[lang] = m
	}
	return out
}

// SameIDs fails t for every language whose ids are not English's.
func SameIDs(t testing.TB, area string, catalogues map[string]map[string]string) {
	t.Helper()
	en := slices.Sorted(maps.Keys(catalogues["en"]))
	for lang, m := range catalogues {
		if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, en) {
			t.Errorf("%s.%s.json has other ids than %s.en.json", area, lang, area)
		}
	}
}

// TemplateIDs is every first submatch of used in the files under
// templates/ (partials included), in the order found.
func TemplateIDs(files fs.FS, used *regexp.Regexp) []string {
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
	return ids
}
