package core_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
)

func TestDisplayTextReplacesBadBytesDropsControlsAndCutsAtARuneBoundary(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Mozilla/5.0", 512, "Mozilla/5.0"},
		{"Caf\xe9", 512, "Caf\uFFFD"},
		{"Caf\xe9\xe9\xe9 bar", 512, "Caf\uFFFD bar"},         // one replacement per run
		{"a\x00b\r\nc\td\x1b[31m\x7f\u0085", 512, "abcd[31m"}, // C0, DEL, C1 dropped
		{"evil\u202egnp.exe", 512, "evilgnp.exe"},             // a bidi override
		{"ééé", 3, "é"},                                       // never half a rune
		{"Café", 4, "Caf"},
		{"", 10, ""},
	} {
		if got := core.DisplayText(c.in, c.max); got != c.want {
			t.Errorf("DisplayText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestCheckTextRefusesControlsAndBadBytesNamingTheField(t *testing.T) {
	for _, bad := range []string{"a\x00", "\xff", "a\nb", "\x1b", "\u0085", "\x7f"} {
		err := core.CheckText("name", bad)
		var e *core.Error
		if err == nil || !asCore(err, &e) || e.Code != "invalid_text" || e.Field != "name" || core.KindOf(err) != core.KindInvalid {
			t.Errorf("CheckText(%q) = %v, want invalid_text on name", bad, err)
		}
	}
	for _, good := range []string{"", "Іван Петренко", "O'Brien & Co. (Almaty)", "東京", "👩‍💻"} {
		if err := core.CheckText("name", good); err != nil {
			t.Errorf("CheckText(%q) = %v", good, err)
		}
	}
	if !core.IsMultilineText("-----BEGIN CERTIFICATE-----\r\nMII\tB\n") || core.IsMultilineText("a\x00\n") {
		t.Error("IsMultilineText allows tabs and line breaks only")
	}
}

func asCore(err error, e **core.Error) bool {
	x, ok := err.(*core.Error)
	*e = x
	return ok
}

// FuzzDisplayText: whatever comes in, what comes out may be stored and
// shown: valid UTF-8, no control character, within the cap, and text that
// was already clean and short is kept as it is.
func FuzzDisplayText(f *testing.F) {
	for _, s := range []string{"Caf\xe9", "a\x00b", "\u202e", "ééé", "\xf0\x9f\x98", strings.Repeat("é", 300)} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		got := core.DisplayText(s, max)
		if !utf8.ValidString(got) || !core.IsText(got) || len(got) > max {
			t.Fatalf("DisplayText(%q, %d) = %q", s, max, got)
		}
		bidi := strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) })
		if core.IsText(s) && !bidi && len(s) <= max && got != s {
			t.Fatalf("DisplayText(%q) changed clean text to %q", s, got)
		}
	})
}
