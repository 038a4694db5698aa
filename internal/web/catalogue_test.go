package web

import (
	"encoding/json"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// Every message id of an area is in each language's catalogue of it, so no
// page shows an id where a translation is missing.
func TestEveryCatalogueOfAnAreaHasTheSameMessages(t *testing.T) {
	names, err := fs.Glob(files, "locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]map[string][]string{} // area → lang → ids
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		parts := strings.Split(path.Base(name), ".")
		if ids[parts[0]] == nil {
			ids[parts[0]] = map[string][]string{}
		}
		ids[parts[0]][parts[1]] = slices.Sorted(maps.Keys(m))
	}
	for area, byLang := range ids {
		want := byLang[Languages[0]]
		for _, lang := range Languages {
			if got := byLang[lang]; !slices.Equal(got, want) {
				t.Errorf("area %s: %s's ids differ from %s's:\n%v\n%v", area, lang, Languages[0], got, want)
			}
		}
	}
}

// The accessible names the pages' contract fixes are exact in English.
func TestTheContractsAccessibleNamesAreExactInEnglish(t *testing.T) {
	p, err := New(Pages{Identity: nil})
	if err == nil || p != nil {
		t.Fatal("New accepted pages without their services")
	}
	b := newBundle()
	if err := loadCatalogues(b, files); err != nil {
		t.Fatal(err)
	}
	pg := &Pages{bundle: b}
	for id, want := range map[string]string{
		"field.email": "Email", "field.password": "Password", "field.new_password": "New password", "field.name": "Name",
		"field.code": "Code", "field.company": "Company", "button.sign_in": "Sign in", "button.create_account": "Create account",
		"button.send_reset": "Send reset link", "button.set_password": "Set password", "button.verify": "Verify",
		"button.sign_out": "Sign out", "button.confirm": "Confirm",
	} {
		if got := pg.localize("en", id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
}

func TestAContinuationIsAPageOfThisServerOrTheAccount(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "/account",
		"/account":                           "/account",
		"/account/keys":                      "/account/keys",
		"/admin":                             "/admin",
		"/oauth2/authorize?request_id=abc":   "/oauth2/authorize?request_id=abc",
		"/device?user_code=ABCD":             "/device?user_code=ABCD",
		"https://evil.example/":              "/account",
		"//evil.example/account":             "/account",
		"/\\evil.example":                    "/account",
		"/accountX":                          "/account",
		"/account/../logout":                 "/account",
		"/account/%2e%2e/x":                  "/account",
		"/register":                          "/account",
		"javascript:alert(1)":                "/account",
		"/oauth2/\r\nLocation: http://evil/": "/account",
		"/admin@evil.example":                "/account",
		"/account\x00":                       "/account",
		"account":                            "/account",
	} {
		if got := continuation(in); got != want {
			t.Errorf("continuation(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAcceptLanguagePicksTheBestLocale(t *testing.T) {
	for in, want := range map[string]string{
		"": "en", "ru-RU,ru;q=0.9,en;q=0.8": "ru", "uk": "uk", "de-DE,uk;q=0.5": "uk", "fr": "en", "en-GB": "en",
	} {
		if got := acceptLanguage(in); got != want {
			t.Errorf("acceptLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryScopeIsSaidInWordsOnceForEveryPage: the consent and device
// pages name a scope by ScopeMessage, from the shared catalogue, so both
// say the same words in every language.
func TestEveryScopeIsSaidInWordsOnceForEveryPage(t *testing.T) {
	b := newBundle()
	if err := loadCatalogues(b, files); err != nil {
		t.Fatal(err)
	}
	pg := &Pages{bundle: b}
	for _, lang := range Languages {
		for _, sc := range oauth.Scopes() {
			if !pg.has(lang, ScopeMessage(sc)) || pg.localize(lang, ScopeMessage(sc)) == "" {
				t.Errorf("web.%s.json does not say scope %s in words", lang, sc)
			}
		}
	}
}
