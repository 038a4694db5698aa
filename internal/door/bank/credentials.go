package bank

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Credentials arrive encrypted with the credential key (DESIGN.md "The
// bank door", step 1): RSA-OAEP with SHA-256 (MGF1-SHA-256, empty label:
// what WebCrypto and OpenSSL produce), or PKCS#1 v1.5 (what JSEncrypt
// sends) when GATEHOUSE_CREDENTIAL_PADDINGS allows it; base64 in either
// alphabet, padded or not.

// errUndecryptable is every decoding and decryption failure alike; the
// door answers it exactly as a wrong password, so it is no padding oracle.
var errUndecryptable = errors.New("credential cannot be decrypted")

// maxCiphertextChars bounds the base64 text: RSA-4096 is 684 characters.
const maxCiphertextChars = 1024

// decodeCiphertext decodes base64 in the standard or URL-safe alphabet,
// with or without padding. A '+' that query-string decoding turned into a
// space is put back: ciphertexts carry no spaces of their own.
func decodeCiphertext(s string) ([]byte, error) {
	if s == "" || len(s) > maxCiphertextChars {
		return nil, errUndecryptable
	}
	s = strings.ReplaceAll(s, " ", "+")
	s = strings.TrimRight(s, "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		if strings.ContainsAny(s, "+/") { // two alphabets at once
			return nil, errUndecryptable
		}
		enc = base64.RawURLEncoding
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errUndecryptable
	}
	return b, nil
}

// decrypter opens credential ciphertexts with every key that may still
// decrypt and every padding that is enabled.
type decrypter struct {
	keys  []*rsa.PrivateKey
	oaep  bool
	pkcs1 bool
}

// open decrypts ct. It tries every key and padding whatever the outcome of
// the earlier ones, so that the work does not depend on which one (if any)
// fits: how far it got is no signal.
func (d decrypter) open(ct []byte) (string, error) {
	var plain []byte
	found := false
	for _, k := range d.keys {
		if d.oaep {
			if p, err := rsa.DecryptOAEP(sha256.New(), nil, k, ct, nil); err == nil && !found {
				plain, found = p, true
			}
		}
		if d.pkcs1 {
			if p, err := rsa.DecryptPKCS1v15(nil, k, ct); err == nil && !found {
				plain, found = p, true
			}
		}
	}
	if !found || len(plain) == 0 || len(plain) > 1024 || !utf8.Valid(plain) {
		return "", errUndecryptable
	}
	return string(plain), nil
}

// openAll decrypts each ciphertext (nil: one that did not decode) with the
// keys that may still decrypt and the enabled paddings, always all of
// them. Should a ciphertext open with none of the keys, it may have been
// encrypted with a key another node made since this one last synced
// (GATEHOUSE_KEY_SYNC_INTERVAL): the keys are reloaded, at most once a
// second (keys.Ring.Reload), and if that brought others every ciphertext
// is tried once more.
func (d *Door) openAll(ctx context.Context, cts ...[]byte) ([]string, []error) {
	oaep, pkcs1 := d.paddings()
	keys := d.Decrypters()
	plain, errs := decrypter{keys: keys, oaep: oaep, pkcs1: pkcs1}.openEach(cts)
	if d.ReloadKeys == nil || !failedToOpen(cts, errs) || d.ReloadKeys(ctx) != nil {
		return plain, errs
	}
	if fresh := d.Decrypters(); !slices.Equal(fresh, keys) {
		return decrypter{keys: fresh, oaep: oaep, pkcs1: pkcs1}.openEach(cts)
	}
	return plain, errs
}

func (d decrypter) openEach(cts [][]byte) ([]string, []error) {
	plain, errs := make([]string, len(cts)), make([]error, len(cts))
	for i, ct := range cts {
		plain[i], errs[i] = d.open(ct)
	}
	return plain, errs
}

// failedToOpen reports whether a ciphertext that decoded did not open.
func failedToOpen(cts [][]byte, errs []error) bool {
	for i, err := range errs {
		if err != nil && len(cts[i]) > 0 {
			return true
		}
	}
	return false
}
