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

func TestASealerWithThePreviousMasterKeyOpensBothAndSealsWithTheCurrentOne(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	old, err := keys.NewSealer(k1)
	if err != nil {
		t.Fatal(err)
	}
	underK1, _ := old.Seal([]byte("sealed before the rotation"))
	rotating, err := keys.NewSealer(k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotating.Open(underK1); err != nil || string(got) != "sealed before the rotation" {
		t.Fatalf("the previous key's value: %q, %v", got, err)
	}
	underK2, _ := rotating.Seal([]byte("sealed during the rotation"))
	if _, err := old.Open(underK2); !errors.Is(err, keys.ErrSealed) {
		t.Fatalf("a new value opens with the previous key (err %v): it was not sealed with the current one", err)
	}
	onlyK2, _ := keys.NewSealer(k2)
	if got, err := onlyK2.Open(underK2); err != nil || string(got) != "sealed during the rotation" {
		t.Fatalf("the current key alone: %q, %v", got, err)
	}
	if _, err := keys.NewSealer(k2, k1[:16]); err == nil {
		t.Fatal("NewSealer accepted a 16-byte previous key")
	}
}

func TestResealSealsAfreshOnlyWhatThePreviousKeySealed(t *testing.T) {
	k1, k2, k3 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	old, _ := keys.NewSealer(k1)
	rotating, _ := keys.NewSealer(k2, k1)
	underK1, _ := old.Seal([]byte("old"))
	resealed, changed, err := rotating.Reseal(underK1)
	if err != nil || !changed {
		t.Fatalf("Reseal of a value of the previous key: changed %v, %v", changed, err)
	}
	onlyK2, _ := keys.NewSealer(k2)
	if got, err := onlyK2.Open(resealed); err != nil || string(got) != "old" {
		t.Fatalf("the resealed value under the current key alone: %q, %v", got, err)
	}
	same, changed, err := rotating.Reseal(resealed)
	if err != nil || changed || !bytes.Equal(same, resealed) {
		t.Fatalf("Reseal of a value of the current key: changed %v, %v", changed, err)
	}
	stranger, _ := keys.NewSealer(k3)
	foreign, _ := stranger.Seal([]byte("x"))
	if _, _, err := rotating.Reseal(foreign); !errors.Is(err, keys.ErrSealed) {
		t.Fatalf("Reseal of a value no key opens: %v, want ErrSealed", err)
	}
}
