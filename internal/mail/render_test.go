package mail

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// sampleData returns distinct values for every field any kind uses, so that
// a test can check each value reached the message.
func sampleData(kind string) map[string]string {
	d := map[string]string{"name": "Ada", "email": "ada@example.com"}
	switch kind {
	case KindConfirmEmail:
		d["code"] = "Xc7pQ2mZr9Lk4vB8nT3wYa"
		d["link"] = "https://id.example.com/v1/user/confirm/Xc7pQ2mZr9Lk4vB8nT3wYa"
	case KindResetPassword:
		d["token"] = "Rt5hJ8kL2mN4pQ6sV9xZ1b"
		d["link"] = "https://id.example.com/reset?token=Rt5hJ8kL2mN4pQ6sV9xZ1b"
	case KindNewDevice:
		d["device"] = "Firefox 128 on Linux"
		d["ip"] = "203.0.113.7"
		d["time"] = "2026-03-01 12:34 UTC"
	case KindAccountLocked:
		d["until"] = "2026-03-01 13:00 UTC"
	case KindOTPCode:
		d["code"] = "482913"
	case KindPasswordChanged:
		d["sessions"] = "3"
		d["api_keys"] = "till (ghk_Ab12Cd34…)"
		d["devices"] = "Pixel 8"
	case KindAPIKeyCreated:
		d["key_name"] = "till software"
		d["prefix"] = "ghk_Zx98Yw76"
		d["time"] = "Sun, 01 Mar 2026 12:34:00 UTC"
		d["ip"] = "198.51.100.23"
	case KindExternalToken:
		d["audience"] = "https://partner.example"
		d["time"] = "Sun, 01 Mar 2026 12:35:00 UTC"
		d["ip"] = "198.51.100.24"
	case KindTOTPEnrolled, KindTOTPRemoved:
		d["ip"] = "203.0.113.7"
		d["time"] = "Sun, 01 Mar 2026 12:34:00 UTC"
	case KindEmailChanged:
		d["new_email"] = "ada.l@example.org"
	}
	return d
}

// hasLine reports whether s has a line that is exactly want (ignoring
// surrounding spaces and a trailing CR).
func hasLine(s, want string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

func TestEveryKindRendersInEveryLocaleWithItsData(t *testing.T) {
	for _, kind := range Kinds() {
		english, err := Render(kind, "en", sampleData(kind))
		if err != nil {
			t.Fatalf("Render(%s, en): %v", kind, err)
		}
		for _, loc := range Locales() {
			t.Run(kind+"/"+loc, func(t *testing.T) {
				data := sampleData(kind)
				m, err := Render(kind, loc, data)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if m.Subject == "" || strings.TrimSpace(m.Text) == "" || strings.TrimSpace(m.HTML) == "" {
					t.Fatalf("empty part: %+v", m)
				}
				if strings.Contains(m.Subject, "\n") {
					t.Errorf("subject has a line break: %q", m.Subject)
				}
				for k, v := range data {
					if k == "email" && kind != KindPasswordChanged && kind != KindTOTPEnrolled && kind != KindTOTPRemoved && kind != KindEmailChanged {
						continue // only the notices of a changed credential name the address
					}
					if !strings.Contains(m.Text, v) || !strings.Contains(m.HTML, v) {
						t.Errorf("%s=%q missing from text or HTML", k, v)
					}
				}
				for _, part := range []string{m.Text, m.HTML} {
					if strings.Contains(part, "<no value>") {
						t.Errorf("a field rendered as <no value>:\n%s", part)
					}
				}
				if !strings.Contains(m.HTML, `lang="`+loc+`"`) {
					t.Errorf("HTML does not declare lang=%q", loc)
				}
				if loc != "en" && (m.Subject == english.Subject || m.Text == english.Text) {
					t.Errorf("%s is not translated: subject %q", loc, m.Subject)
				}
			})
		}
	}
}

func TestSecretsStandOnALineOfTheirOwn(t *testing.T) {
	cases := []struct{ kind, field string }{
		{KindConfirmEmail, "code"},
		{KindConfirmEmail, "link"},
		{KindResetPassword, "token"},
		{KindResetPassword, "link"},
		{KindOTPCode, "code"},
	}
	for _, c := range cases {
		for _, loc := range Locales() {
			d := sampleData(c.kind)
			m, err := Render(c.kind, loc, d)
			if err != nil {
				t.Fatal(err)
			}
			if !hasLine(m.Text, d[c.field]) {
				t.Errorf("%s/%s: %s %q is not on a line of its own:\n%s", c.kind, loc, c.field, d[c.field], m.Text)
			}
		}
	}
}

func TestResetPasswordAcceptsCodeForToken(t *testing.T) {
	m, err := Render(KindResetPassword, "en", map[string]string{
		"code": "Qq1Ww2Ee3Rr4", "link": "https://id.example.com/reset?token=Qq1Ww2Ee3Rr4"})
	if err != nil {
		t.Fatal(err)
	}
	if !hasLine(m.Text, "Qq1Ww2Ee3Rr4") {
		t.Errorf("token line missing:\n%s", m.Text)
	}
}

func TestHTMLEscapesDataButTextKeepsItVerbatim(t *testing.T) {
	evil := `<script>alert("x")</script>&`
	m, err := Render(KindNewDevice, "en", map[string]string{"device": evil, "ip": "1.2.3.4", "time": "now"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Errorf("HTML carries the raw script tag:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("HTML lacks the escaped value:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, evil) {
		t.Errorf("text body altered the value:\n%s", m.Text)
	}
}

func TestHTMLRefusesAJavascriptLink(t *testing.T) {
	m, err := Render(KindConfirmEmail, "en", map[string]string{"code": "c0de", "link": "javascript:alert(1)"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, `href="javascript:`) {
		t.Errorf("javascript: link survived in href:\n%s", m.HTML)
	}
}

func TestUnknownLocaleFallsBackToEnglishAndTagsAreNormalised(t *testing.T) {
	en, _ := Render(KindOTPCode, "en", sampleData(KindOTPCode))
	ru, _ := Render(KindOTPCode, "ru", sampleData(KindOTPCode))
	for locale, want := range map[string]Message{"": en, "de": en, "xx-YY": en, "ru-RU": ru, "RU_ru": ru, " ru ": ru} {
		got, err := Render(KindOTPCode, locale, sampleData(KindOTPCode))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("locale %q: subject %q, want %q", locale, got.Subject, want.Subject)
		}
	}
}

func TestRenderRefusesUnknownKindsAndMissingData(t *testing.T) {
	if _, err := Render("welcome_gift", "en", nil); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("unknown kind: err = %v, want ErrUnknownKind", err)
	}
	for kind, fields := range required {
		for _, f := range fields {
			d := sampleData(kind)
			delete(d, f)
			if f == "token" {
				delete(d, "code")
			}
			_, err := Render(kind, "en", d)
			if !errors.Is(err, ErrMissingData) || !strings.Contains(err.Error(), f) {
				t.Errorf("%s without %s: err = %v", kind, f, err)
			}
		}
	}
}

func ExampleRender() {
	m, _ := Render(KindOTPCode, "uk", map[string]string{"code": "482913"})
	fmt.Println(m.Subject)
	// Output: Ваш код для входу
}
