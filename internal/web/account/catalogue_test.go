package account

import (
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/web"
)

func catalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(files, "locales/account."+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("account.%s.json: %v", lang, err)
	}
	return m
}

// Every message of the cabinet is in each language, so no page shows an
// id where a translation is missing; and the names the pages' contract
// fixes are exact in English.
func TestTheCabinetsCataloguesHoldTheSameMessagesAndTheContractsNames(t *testing.T) {
	en := catalogue(t, "en")
	want := slices.Sorted(maps.Keys(en))
	for _, lang := range web.Languages {
		if got := slices.Sorted(maps.Keys(catalogue(t, lang))); !slices.Equal(got, want) {
			t.Errorf("account.%s.json's ids differ from account.en.json's", lang)
		}
	}
	for id, name := range map[string]string{"account.button.create_key": "Create key", "account.button.revoke": "Revoke"} {
		if en[id] != name {
			t.Errorf("%s = %q, want %q", id, en[id], name)
		}
	}
}
