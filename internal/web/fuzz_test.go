package web

import (
	"bytes"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys"
)

// FuzzSealedEnrolmentField feeds the required action's hidden enrolment
// field (openText) every text: none opens but what was sealed under this
// master key (AES-GCM: only the one enrolment below ever was, in any
// fuzzing process), and nothing panics.
func FuzzSealedEnrolmentField(f *testing.F) {
	s, err := keys.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	p := &Pages{Sealer: s}
	const enrolment = "JBSWY3DPEHPK3PXP\notpauth://totp/Gatehouse:ann@example.com?secret=JBSWY3DPEHPK3PXP"
	good, err := p.sealText(enrolment)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{good, "", "AAAA", good[:len(good)-1], good + "A", "not base64 !", string(bytes.Repeat([]byte("A"), 4000))} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		plain, ok := p.openText(v)
		if ok && plain != enrolment {
			t.Fatalf("a field never sealed opened: %q → %q", v, plain)
		}
		if v == good && !ok {
			t.Fatalf("the sealed enrolment does not open")
		}
	})
}
