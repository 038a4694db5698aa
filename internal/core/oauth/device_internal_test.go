package oauth

import (
	"strings"
	"testing"
)

// User codes are drawn from RFC 8628 §6.1's alphabet, eight at a time.
func TestNewUserCodesAreEightLettersOfTheAlphabetAndDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := newUserCode()
		if n, ok := normalUserCode(c); !ok || n != c {
			t.Fatalf("newUserCode() = %q does not read back as itself (%q, %v)", c, n, ok)
		}
		seen[c] = true
	}
	if len(seen) < 199 { // 200 draws of 2.56e10 codes: a repeat is a broken generator
		t.Fatalf("200 user codes held only %d distinct ones", len(seen))
	}
}

func TestAUserCodeIsReadWhateverItsCaseDashesAndSpaces(t *testing.T) {
	for typed, want := range map[string]string{
		"BCDF-GHJK": "BCDFGHJK", "bcdf-ghjk": "BCDFGHJK", " bcdf ghjk ": "BCDFGHJK", "BcDfGhJk": "BCDFGHJK",
		"BCDF-GHJ": "", "BCDF-GHJKL": "", "ABCD-EFGH": "", "BCDF-GHJ0": "", "ſCDF-GHJK": "", "BCDF_GHJK": "", "": "",
	} {
		got, ok := normalUserCode(typed)
		if got != want || ok != (want != "") {
			t.Errorf("normalUserCode(%q) = %q, %v; want %q", typed, got, ok, want)
		}
	}
}

// FuzzUserCode holds the page's reading of a typed code (normalUserCode)
// to its contract for any input: it either refuses, or answers eight
// letters of the alphabet that read back as themselves, also shown as
// XXXX-XXXX; it never reads more than 64 bytes.
func FuzzUserCode(f *testing.F) {
	for _, s := range []string{"BCDF-GHJK", "bcdfghjk", "  B C D F - G H J K ", "ABCD-EFGH", "ſCDF-GHJK", "\x00", "BCDF-GHJK\n", strings.Repeat("B", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		got, ok := normalUserCode(typed)
		if !ok {
			if got != "" {
				t.Fatalf("refused %q but answered %q", typed, got)
			}
			return
		}
		if len(typed) > 64 || len(got) != userCodeLen {
			t.Fatalf("normalUserCode(%q) = %q", typed, got)
		}
		for _, r := range got {
			if !strings.ContainsRune(userCodeAlphabet, r) {
				t.Fatalf("normalUserCode(%q) = %q holds %q", typed, got, r)
			}
		}
		if again, ok := normalUserCode(FormatUserCode(got)); !ok || again != got {
			t.Fatalf("%q shown as %q reads as %q, %v", got, FormatUserCode(got), again, ok)
		}
	})
}
