package device

import (
	"regexp"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/web/cataloguetest"
)

// Every message the page names (its templates, its code, one per scope
// the server offers) is in each language, and no language has an id the
// others lack.
func TestEveryMessageOfTheDevicePageIsInEveryLanguage(t *testing.T) {
	catalogues := cataloguetest.Read(t, files, "device")
	cataloguetest.SameIDs(t, "device", catalogues)
	used := []string{"device.error.unknown"}
	for _, sc := range oauth.Scopes() {
		if _, ok := catalogues["en"]["device.scope."+sc]; ok {
			t.Errorf("device.en.json words scope %s again: the pages share web's scope.%s", sc, sc)
		}
	}
	used = append(used, cataloguetest.TemplateIDs(files, regexp.MustCompile(`"(device\.[a-z_.]+)"`))...)
	for _, u := range used {
		if _, ok := catalogues["en"][u]; !ok {
			t.Errorf("%s is used but not in device.en.json", u)
		}
	}
}
