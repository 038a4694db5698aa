package device

import (
	"encoding/json"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web"
)

func catalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(files, "locales/device."+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("device.%s.json: %v", lang, err)
	}
	return m
}

// Every message the page names (its templates, its code, one per scope
// the server offers) is in each language, and no language has an id the
// others lack.
func TestEveryMessageOfTheDevicePageIsInEveryLanguage(t *testing.T) {
	en := catalogue(t, "en")
	want := slices.Sorted(maps.Keys(en))
	for _, lang := range web.Languages {
		if got := slices.Sorted(maps.Keys(catalogue(t, lang))); !slices.Equal(got, want) {
			t.Errorf("device.%s.json's ids differ from device.en.json's", lang)
		}
	}
	used := []string{"device.error.unknown"}
	for _, sc := range oauth.Scopes() {
		used = append(used, "device.scope."+sc)
	}
	id := regexp.MustCompile(`"(device\.[a-z_.]+)"`)
	_ = fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, path)
		for _, m := range id.FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1])
		}
		return nil
	})
	for _, u := range used {
		if _, ok := en[u]; !ok {
			t.Errorf("%s is used but not in device.en.json", u)
		}
	}
}
