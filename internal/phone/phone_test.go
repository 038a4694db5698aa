package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

func TestNormalizePhoneWritesEveryAcceptedSpellingInE164(t *testing.T) {
	cases := []struct{ raw, region, want string }{
		{"+77011234567", "", "+77011234567"},
		{"+7 701 123 45 67", "", "+77011234567"},
		{"+7 (701) 123-45-67", "", "+77011234567"},
		{" +7.701.123.45.67 ", "", "+77011234567"},
		{"tel:+7-701-123-45-67", "", "+77011234567"},
		{"+380 50 123 4567", "", "+380501234567"},
		{"+33 6 12 34 56 78", "", "+33612345678"},
		{"+1 202 555 0143", "", "+12025550143"}, // US: fixed line or mobile, indistinguishable
		{"8 701 123 45 67", "KZ", "+77011234567"},
		{"701 123 45 67", "KZ", "+77011234567"},
		{"050 123 4567", "UA", "+380501234567"},
		{"+380501234567", "KZ", "+380501234567"}, // an international number ignores the region
	}
	for _, c := range cases {
		got, err := Normalize(c.raw, c.region)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
}

func TestNormalizePhoneRefusesWhatCannotReceiveACode(t *testing.T) {
	cases := []struct{ raw, region, says string }{
		{"8 701 123 45 67", "", "start with + and the country code"},
		{"701 123 45 67", "", "start with + and the country code"},
		{"", "", "international form"},
		{"+", "", "not a phone number"},
		{"phone", "", "start with + and the country code"},
		{"+phone", "", "not a phone number"},
		{"+1555", "", "not a valid number"},
		{"+7701123456789999", "", "not a valid number"},
		{"+1 555 123 4567", "", "not a valid number"},   // 555 is no US area code
		{"+7 727 258 0000", "", "not a mobile number"},  // an Almaty fixed line
		{"+44 20 7946 0958", "", "not a mobile number"}, // a London fixed line
		{"+1 800 555 0199", "", "not a mobile number"},  // toll-free
		{"+" + strings.Repeat("7", 70), "", "international form"},
	}
	for _, c := range cases {
		got, err := Normalize(c.raw, c.region)
		var e *core.Error
		if !errors.As(err, &e) || e.Code != "invalid_phone" || e.Field != "phone" || !strings.Contains(e.Message, c.says) {
			t.Errorf("Normalize(%q, %q) = %q, %v; want invalid_phone on phone saying %q", c.raw, c.region, got, err, c.says)
		}
	}
}

func TestParsePhoneAcceptsNumbersThatOnlySend(t *testing.T) {
	if got, err := Parse("+1 800 555 0199", ""); err != nil || got != "+18005550199" {
		t.Fatalf("Parse(toll-free) = %q, %v", got, err)
	}
	if _, err := Parse("+1555", ""); err == nil {
		t.Fatal("Parse accepted an invalid number")
	}
}

// FuzzNormalizePhone: whatever is written, the answer is an E.164 number
// that normalises to itself, or a typed refusal naming the field.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+77011234567", "+7 (701) 123-45-67", "8 701 123 45 67", "tel:+1-202-555-0143;ext=1",
		"+1555", "", "+", "++77011234567", "+7701١٢٣٤٥٦٧", "+44 7700 900123", "\x00+7", "+7 701 123 45 67 ext. 89"} {
		f.Add(s, "")
		f.Add(s, "KZ")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := Normalize(raw, region)
		if err != nil {
			var e *core.Error
			if !errors.As(err, &e) || e.Code != "invalid_phone" || e.Field != "phone" {
				t.Fatalf("Normalize(%q, %q): untyped %v", raw, region, err)
			}
			return
		}
		if len(got) < 8 || len(got) > 16 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("Normalize(%q, %q) = %q, not E.164", raw, region, got)
		}
		if again, err := Normalize(got, ""); err != nil || again != got {
			t.Fatalf("Normalize(%q) = %q, %v; want itself", got, again, err)
		}
	})
}
