package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/core"
)

// sealVersion is the first byte of every sealed value. It names the format
// (1: AES-256-GCM, 12-byte random nonce). A master-key rotation keeps the
// format: GCM's tag tells which key sealed a value.
const sealVersion byte = 1

// MasterKeySize is the size of the master key: AES-256.
const MasterKeySize = 32

// ErrSealed is returned by Open when a sealed value is malformed, was sealed
// with another master key or was tampered with.
var ErrSealed = errors.New("keys: sealed value cannot be opened")

// Sealer encrypts small secrets at rest with the master key (AES-256-GCM).
// The format is version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16); the version
// byte is authenticated as additional data. During a master-key rotation
// it also holds the previous key (GATEHOUSE_MASTER_KEY_PREVIOUS): values
// still sealed with it open, and everything new is sealed with the
// current key. Safe for concurrent use.
type Sealer struct {
	aeads []cipher.AEAD // the current key first, then the previous ones
}

var _ core.Sealer = (*Sealer)(nil)

// NewSealer returns a Sealer that seals with the 32-byte master key and
// opens with it and then with each of previous.
func NewSealer(master []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{}
	for _, key := range append([][]byte{master}, previous...) {
		if len(key) != MasterKeySize {
			return nil, fmt.Errorf("keys.NewSealer: master key is %d bytes, want %d", len(key), MasterKeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("keys.NewSealer: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keys.NewSealer: %w", err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encrypts plain with the current master key under a fresh random
// nonce.
func (s *Sealer) Seal(plain []byte) ([]byte, error) {
	aead := s.aeads[0]
	ns := aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("keys.Seal: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plain, out[:1]), nil
}

// Open decrypts a value made by Seal with the current master key or a
// previous one. It returns ErrSealed when the value is malformed, of an
// unknown version, or fails authentication under every key.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	plain, _, err := s.open(sealed)
	return plain, err
}

// Reseal returns sealed as it should be stored under the current master
// key: unchanged (false) when the current key opens it, sealed afresh
// (true) when only a previous key does (`gatehouse key rotate-master`).
// It returns ErrSealed when no key opens it.
func (s *Sealer) Reseal(sealed []byte) ([]byte, bool, error) {
	plain, i, err := s.open(sealed)
	if err != nil || i == 0 {
		return sealed, false, err
	}
	out, err := s.Seal(plain)
	return out, err == nil, err
}

// open returns the plaintext and the index of the key that opened it.
func (s *Sealer) open(sealed []byte) ([]byte, int, error) {
	ns, overhead := s.aeads[0].NonceSize(), s.aeads[0].Overhead()
	if len(sealed) < 1+ns+overhead {
		return nil, 0, fmt.Errorf("keys.Open: %w: too short", ErrSealed)
	}
	if sealed[0] != sealVersion {
		return nil, 0, fmt.Errorf("keys.Open: %w: unknown version %d", ErrSealed, sealed[0])
	}
	var err error
	for i, aead := range s.aeads {
		var plain []byte
		if plain, err = aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], sealed[:1]); err == nil {
			return plain, i, nil
		}
	}
	return nil, 0, fmt.Errorf("keys.Open: %w: %v", ErrSealed, err)
}
