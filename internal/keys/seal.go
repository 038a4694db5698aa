package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/core"
)

// sealVersion is the first byte of every sealed value. It names the master
// key generation and format (1: AES-256-GCM, 12-byte random nonce), so that a
// later master-key rotation can open old values while sealing new ones.
const sealVersion byte = 1

// MasterKeySize is the size of the master key: AES-256.
const MasterKeySize = 32

// ErrSealed is returned by Open when a sealed value is malformed, was sealed
// with another master key or was tampered with.
var ErrSealed = errors.New("keys: sealed value cannot be opened")

// Sealer encrypts small secrets at rest with the master key (AES-256-GCM).
// The format is version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16); the version
// byte is authenticated as additional data. Safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

var _ core.Sealer = (*Sealer)(nil)

// NewSealer returns a Sealer for a 32-byte master key.
func NewSealer(master []byte) (*Sealer, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("keys.NewSealer: master key is %d bytes, want %d", len(master), MasterKeySize)
	}
	block, err := aes.NewCipher(master)
	if err != nil {
		return nil, fmt.Errorf("keys.NewSealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keys.NewSealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain under a fresh random nonce.
func (s *Sealer) Seal(plain []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("keys.Seal: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plain, out[:1]), nil
}

// Open decrypts a value made by Seal. It returns ErrSealed when the value is
// malformed, of an unknown version, or fails authentication.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() {
		return nil, fmt.Errorf("keys.Open: %w: too short", ErrSealed)
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("keys.Open: %w: unknown version %d", ErrSealed, sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], sealed[:1])
	if err != nil {
		return nil, fmt.Errorf("keys.Open: %w: %v", ErrSealed, err)
	}
	return plain, nil
}
