package bank

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys/keystest"
)

func fixtureKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := keystest.Key(name)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

func TestDecodeCiphertextAcceptsEveryBase64Form(t *testing.T) {
	raw := []byte{0xfb, 0xef, 0xff, 0x00, 0x3e, 0x3f, 0x01} // has '+', '/', '-' and '_' in its encodings
	std := base64.StdEncoding.EncodeToString(raw)
	for name, s := range map[string]string{
		"standard, padded":          std,
		"standard, unpadded":        base64.RawStdEncoding.EncodeToString(raw),
		"URL-safe, padded":          base64.URLEncoding.EncodeToString(raw),
		"URL-safe, unpadded":        base64.RawURLEncoding.EncodeToString(raw),
		"'+' turned into a space":   strings.ReplaceAll(std, "+", " "),
		"query-decoded unescaped +": mustQuery(t, "x="+std),
	} {
		got, err := decodeCiphertext(s)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s: decodeCiphertext(%q) = %x, %v; want %x", name, s, got, err, raw)
		}
	}
}

func mustQuery(t *testing.T, q string) string {
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v.Get("x")
}

func TestDecodeCiphertextRefusesWhatIsNotBase64(t *testing.T) {
	for _, s := range []string{"", "!!!!", "ab+c-d", strings.Repeat("A", maxCiphertextChars+4), "A"} {
		if _, err := decodeCiphertext(s); err != errUndecryptable {
			t.Errorf("decodeCiphertext(%q) error %v, want errUndecryptable", s, err)
		}
	}
}

func TestDecrypterOpensOAEPAndOnlyEnabledPaddings(t *testing.T) {
	cur, old := fixtureKey(t, "rsa2048-enc-1"), fixtureKey(t, "rsa2048-enc-2")
	oaepOld, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &old.PublicKey, []byte("ann@bank.test"), nil)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the padding JSEncrypt sends, which the door may accept
	pkcs, err := rsa.EncryptPKCS1v15(rand.Reader, &cur.PublicKey, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	both := decrypter{keys: []*rsa.PrivateKey{cur, old}, oaep: true, pkcs1: true}
	if got, err := both.open(oaepOld); err != nil || got != "ann@bank.test" {
		t.Fatalf("OAEP under the overlapping key: %q, %v", got, err)
	}
	if got, err := both.open(pkcs); err != nil || got != "secret" {
		t.Fatalf("PKCS#1 v1.5 when enabled: %q, %v", got, err)
	}
	oaepOnly := decrypter{keys: []*rsa.PrivateKey{cur, old}, oaep: true}
	if _, err := oaepOnly.open(pkcs); err != errUndecryptable {
		t.Fatalf("PKCS#1 v1.5 when disabled: %v, want errUndecryptable", err)
	}
	tampered := bytes.Clone(oaepOld)
	tampered[10] ^= 1
	if _, err := both.open(tampered); err != errUndecryptable {
		t.Fatalf("tampered ciphertext: %v, want errUndecryptable", err)
	}
}

// FuzzDecodeCiphertext: any input decodes or fails with the one error,
// and what decodes re-encodes to the same bytes.
func FuzzDecodeCiphertext(f *testing.F) {
	for _, s := range []string{"", "QUJD", "QUJD==", "a b+c", "-_-_", "+/+/", "====", "\x00\xff", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := decodeCiphertext(s)
		if err != nil {
			if err != errUndecryptable {
				t.Fatalf("error %v is not errUndecryptable", err)
			}
			return
		}
		if len(b) == 0 {
			t.Fatal("decoded to nothing without an error")
		}
		again, err := decodeCiphertext(base64.StdEncoding.EncodeToString(b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip of %x failed: %x, %v", b, again, err)
		}
	})
}

// FuzzDecrypter: arbitrary bytes never decrypt to something invalid and
// never fail with anything but the one error.
func FuzzDecrypter(f *testing.F) {
	k := fixtureKey(f, "rsa2048-enc-1")
	ct, _ := rsa.EncryptOAEP(sha256.New(), rand.Reader, &k.PublicKey, []byte("x"), nil)
	f.Add(ct)
	f.Add([]byte{})
	f.Add(make([]byte, 256))
	d := decrypter{keys: []*rsa.PrivateKey{k}, oaep: true, pkcs1: true}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := d.open(b)
		if err != nil && err != errUndecryptable {
			t.Fatalf("error %v", err)
		}
		if err == nil && s == "" {
			t.Fatal("empty plaintext accepted")
		}
	})
}
