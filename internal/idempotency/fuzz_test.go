package idempotency

import (
	"strings"
	"testing"
)

// FuzzParseKey: whatever a client sends, ParseKey neither panics nor
// accepts a key outside the documented length and characters, and an
// accepted key parses to itself.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"8e03978e-40d5-43e8-bc93-6894a57f9324", `"quoted"`, `""`, "", "a b", "caf\xe9", "\x00", strings.Repeat("k", 256)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		key, present, err := ParseKey([]string{v})
		if !present {
			t.Fatal("one value is a key, valid or not")
		}
		if err != nil {
			return
		}
		if key == "" || len(key) > MaxKeyLength {
			t.Fatalf("accepted %q", key)
		}
		for i := 0; i < len(key); i++ {
			if !keyByte(key[i]) {
				t.Fatalf("accepted %q", key)
			}
		}
		if again, _, err := ParseKey([]string{key}); err != nil || again != key {
			t.Fatalf("%q parses to %q, %v", key, again, err)
		}
	})
}
