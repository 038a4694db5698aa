package keys_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys"
)

func TestSealOpenRoundTrip(t *testing.T) {
	s := testSealer(t)
	for _, plain := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("secret "), 500)} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 4 && bytes.Contains(sealed, plain[:5]) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := s.Open(sealed)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}
}

func TestSealUsesAFreshNonceEachTime(t *testing.T) {
	s := testSealer(t)
	a, _ := s.Seal([]byte("same"))
	b, _ := s.Seal([]byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one plaintext are identical")
	}
	if a[0] != 1 || b[0] != 1 {
		t.Fatalf("version bytes %d, %d, want 1", a[0], b[0])
	}
}

func TestOpenRefusesTamperedValues(t *testing.T) {
	s := testSealer(t)
	sealed, err := s.Seal([]byte("private key bytes"))
	if err != nil {
		t.Fatal(err)
	}
	// One flipped bit in each region: version, nonce, ciphertext, tag.
	for _, i := range []int{0, 1, 13, 20, len(sealed) - 1} {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Open(bad); !errors.Is(err, keys.ErrSealed) {
			t.Errorf("byte %d flipped: Open err = %v, want ErrSealed", i, err)
		}
	}
	if _, err := s.Open(sealed[:20]); !errors.Is(err, keys.ErrSealed) {
		t.Errorf("truncated: err = %v, want ErrSealed", err)
	}
	other, err := keys.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(sealed); !errors.Is(err, keys.ErrSealed) {
		t.Errorf("other master key: err = %v, want ErrSealed", err)
	}
}

func TestNewSealerRefusesKeysOfTheWrongSize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := keys.NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}
