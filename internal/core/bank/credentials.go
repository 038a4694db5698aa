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

	"github.com/gatehouse/gatehouse/internal/core"
)

// Credentials arrive encrypted with the credential key (docs/bank.md,
// step 1): RSA-OAEP with SHA-256 (MGF1-SHA-256, empty label:
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
			// PKCS #1 v1.5 is what JSEncrypt sends: accepted only when an
			// operator enables it (GATEHOUSE_CREDENTIAL_PADDINGS), and
			// tried for every key whatever the outcome, so the answer is
			// no padding oracle (docs/bank.md).
			//lint:ignore SA1019 an opt-in compatibility padding, judged in constant work above
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

// decrypter opens ciphertexts with the keys that may still decrypt and the
// enabled paddings.
func (b *Service) decrypter(keys []*rsa.PrivateKey) decrypter {
	return decrypter{keys: keys, oaep: slices.Contains(b.Paddings, "oaep"), pkcs1: slices.Contains(b.Paddings, "pkcs1")}
}

// openAll decrypts each ciphertext (nil: one that did not decode) with the
// keys that may still decrypt and the enabled paddings, always all of
// them. Should a ciphertext open with none of the keys, it may have been
// encrypted with a key another node made since this one last synced
// (GATEHOUSE_KEY_SYNC_INTERVAL): the keys are reloaded, at most once a
// second (keys.Ring.Reload), and if that brought others every ciphertext
// is tried once more.
func (b *Service) openAll(ctx context.Context, cts ...[]byte) ([]string, []error) {
	keys := b.Credentials()
	plain, errs := b.decrypter(keys).openEach(cts)
	if b.ReloadKeys == nil || !failedToOpen(cts, errs) || b.ReloadKeys(ctx) != nil {
		return plain, errs
	}
	if fresh := b.Credentials(); !slices.Equal(fresh, keys) {
		return b.decrypter(fresh).openEach(cts)
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

// openCredential decrypts one encrypted credential and remembers its
// ciphertext against replay for Policy.CiphertextTTL. ok is false when it
// does not decode, decrypt, or comes again; the caller then goes on as
// with a wrong password, so that the answer is no padding oracle.
func (b *Service) openCredential(ctx context.Context, enc string) (plain string, ok bool, err error) {
	ct, err := decodeCiphertext(enc)
	if err != nil {
		return "", false, nil
	}
	opened, errs := b.openAll(ctx, ct)
	if errs[0] != nil {
		return "", false, nil
	}
	fresh, err := b.rememberCiphertext(ctx, ct)
	if err != nil || !fresh {
		return "", false, err
	}
	return opened[0], true, nil
}

// decryptCredentials decrypts both fields of step 1, always both, and
// remembers the password ciphertext against replay. ok is false on any
// failure; the password returned then is still a string of ordinary
// length, so the hash that follows costs what a real one costs.
func (b *Service) decryptCredentials(ctx context.Context, encUser, encPass string) (username, password string, ok bool) {
	ctUser, errU := decodeCiphertext(encUser)
	ctPass, errP := decodeCiphertext(encPass)
	plain, errs := b.openAll(ctx, ctUser, ctPass)
	username, password, errU2, errP2 := plain[0], plain[1], errs[0], errs[1]
	fresh := false
	if errP == nil {
		var err error
		if fresh, err = b.rememberCiphertext(ctx, ctPass); err != nil {
			fresh = false
		}
	}
	if errU != nil || errP != nil || errU2 != nil || errP2 != nil || !fresh {
		return "", "not-a-password", false
	}
	return username, password, true
}

// rememberCiphertext records a credential ciphertext's hash for
// Policy.CiphertextTTL; false when it was seen before (a replay).
func (b *Service) rememberCiphertext(ctx context.Context, ciphertext []byte) (bool, error) {
	return b.store.RememberCiphertext(ctx, core.HashSecret("cred:"+string(ciphertext)), b.now().Add(b.Policy.CiphertextTTL))
}

// OpenCredentials decrypts a login and a password encrypted with the
// credential key, exactly as step 1 does (decryptCredentials: both always
// tried, the password's ciphertext remembered against replay): the hosted
// pages' sign-in form encrypts them in the browser. ok is false on any
// failure; the caller then signs in with an empty login and the password
// returned, so that the answer is a wrong password's, after the same hash.
func (b *Service) OpenCredentials(ctx context.Context, encLogin, encPassword string) (login, password string, ok bool) {
	return b.decryptCredentials(ctx, encLogin, encPassword)
}

// OpenPassword decrypts one password encrypted with the credential key (a
// hosted page's new-password field) and remembers its ciphertext against
// replay; ok is false when it does not decode, decrypt, or comes again.
func (b *Service) OpenPassword(ctx context.Context, enc string) (password string, ok bool, err error) {
	return b.openCredential(ctx, enc)
}
