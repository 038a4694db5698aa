package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the locales of every page, the first the fallback; each
// area has one catalogue per language, locales/<area>.<lang>.json.
var Languages = []string{"en", "ru", "uk"}

// loadCatalogues reads every locales/*.json of fsys into the bundle. A
// file of an unknown language, or one that does not parse, stops the start.
func loadCatalogues(b *i18n.Bundle, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return err
	}
	for _, name := range names {
		parts := strings.Split(path.Base(name), ".")
		if len(parts) != 3 || !slices.Contains(Languages, parts[1]) {
			return fmt.Errorf("web: catalogue %s: want locales/<area>.<%s>.json", name, strings.Join(Languages, "|"))
		}
		if _, err := b.LoadMessageFileFS(fsys, name); err != nil {
			return fmt.Errorf("web: catalogue %s: %w", name, err)
		}
	}
	return nil
}

func newBundle() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	return b
}

// langCookie remembers the language chosen with ?lang= for a year.
const langCookie = "lang"

// language picks the page's language: ?lang= (remembered in a cookie), the
// remembered choice, a relying party's ui_locales (PreferLanguages), the
// signed-in user's locale, then Accept-Language (RFC 9110 §12.5.4), then
// English.
func (p *Pages) language(w http.ResponseWriter, r *http.Request, userLocale string) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(Languages, l) {
		p.setCookie(w, langCookie, l, 365*24*3600)
		return l
	}
	if c, err := r.Cookie(p.cookieName(langCookie)); err == nil && slices.Contains(Languages, c.Value) {
		return c.Value
	}
	if l, ok := r.Context().Value(preferredKey{}).(string); ok {
		return l
	}
	if slices.Contains(Languages, userLocale) {
		return userLocale
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

type preferredKey struct{}

// PreferLanguages is r carrying a relying party's ui_locales (OpenID
// Connect Core §3.1.2.1: space-separated BCP 47 tags, most preferred
// first): the first one the pages speak is shown ahead of the account's
// locale, which every account has (the sign-up's default), but behind a
// language the person chose on the pages. r itself when none is spoken.
func PreferLanguages(r *http.Request, uiLocales string) *http.Request {
	tags := strings.Fields(uiLocales)
	if len(tags) == 0 || len(tags) > 16 {
		return r
	}
	for _, t := range tags {
		tag, err := language.Parse(t)
		if err != nil {
			continue
		}
		if _, i, c := matcher.Match(tag); c >= language.High {
			return r.WithContext(context.WithValue(r.Context(), preferredKey{}, Languages[i]))
		}
	}
	return r
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Russian, language.Ukrainian})

// acceptLanguage is the best of Languages for an Accept-Language header.
func acceptLanguage(header string) string {
	if len(header) > 512 { // a header nobody sends; not worth parsing
		return Languages[0]
	}
	tags, _, _ := language.ParseAcceptLanguage(header)
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[i]
}

// localize is one message of the catalogues in lang; args are pairs of
// a placeholder's name and its value. A missing message is the id itself
// (the catalogue test keeps every id in every language).
func (p *Pages) localize(lang, id string, args ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	s, err := i18n.NewLocalizer(p.bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// has reports whether the catalogues hold id.
func (p *Pages) has(lang, id string) bool {
	_, err := i18n.NewLocalizer(p.bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}
