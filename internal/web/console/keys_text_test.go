package console

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestTheKeyPageSaysUsersStaySignedInAfterAnImmediateRotation: the text
// must match docs/operations.md ("Signing keys") and what happens: the
// old keys' access tokens stop working, clients refresh, nobody signs in
// again (the console once said every user would).
func TestTheKeyPageSaysUsersStaySignedInAfterAnImmediateRotation(t *testing.T) {
	for locale, stay := range map[string]string{"en": "Users stay signed in", "ru": "Пользователи остаются в системе", "uk": "Користувачі залишаються в системі"} {
		raw, err := os.ReadFile("locales/admin." + locale + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]string
		if err := json.Unmarshal(raw, &cat); err != nil {
			t.Fatal(err)
		}
		help := cat["admin.keys.immediate_help"]
		if !strings.Contains(help, stay) {
			t.Errorf("%s: the immediate rotation's help %q does not say users stay signed in", locale, help)
		}
		for _, wrong := range []string{"every user signs in again", "всем придётся войти заново", "всім доведеться увійти знову"} {
			if strings.Contains(help, wrong) || strings.Contains(cat["admin.keys.confirm_immediate"], wrong) {
				t.Errorf("%s: the key page still says %q", locale, wrong)
			}
		}
	}
}
