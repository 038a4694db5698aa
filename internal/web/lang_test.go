package web

import (
	"net/http/httptest"
	"testing"
)

// TestARelyingPartysUILocalesComeAfterThePersonsChoiceAndBeforeTheAccount:
// ui_locales (PreferLanguages) beats the account's locale and
// Accept-Language, never ?lang= or the remembered choice.
func TestARelyingPartysUILocalesComeAfterThePersonsChoiceAndBeforeTheAccount(t *testing.T) {
	p := &Pages{}
	for _, c := range []struct {
		ui, query, cookie, account, accept, want string
	}{
		{ui: "ru en", account: "en", accept: "en-US", want: "ru"},
		{ui: "de uk-UA", account: "en", want: "uk"},
		{ui: "de fr", account: "ru", accept: "en", want: "ru"},   // none spoken: as without
		{ui: "not a tag", account: "", accept: "uk", want: "uk"}, // unparsable: as without
		{ui: "ru", query: "uk", account: "en", want: "uk"},
		{ui: "ru", cookie: "uk", account: "en", want: "uk"},
		{ui: "", account: "en", accept: "ru", want: "en"},
	} {
		target := "/oauth2/logout"
		if c.query != "" {
			target += "?lang=" + c.query
		}
		r := httptest.NewRequest("GET", target, nil)
		if c.cookie != "" {
			r.Header.Set("Cookie", p.cookieName(langCookie)+"="+c.cookie)
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		r = PreferLanguages(r, c.ui)
		if got := p.language(httptest.NewRecorder(), r, c.account); got != c.want {
			t.Errorf("%+v: %s", c, got)
		}
	}
}
