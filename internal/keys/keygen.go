package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Algorithm names accepted in RingOptions.Alg.
const (
	AlgRS256      = "RS256"        // RSA-2048, PKCS#1 v1.5 with SHA-256 (the default)
	AlgRS256_4096 = "RS256-4096"   // RS256 with a 4096-bit key
	AlgES256      = "ES256"        // ECDSA P-256
	AlgEdDSA      = "EdDSA"        // Ed25519
	AlgRSAOAEP256 = "RSA-OAEP-256" // RSA-2048 for the bank door's credential encryption
)

// algSpec describes one RingOptions.Alg: the JOSE name recorded in the store
// and the JWKS, and how to check a generated key.
type algSpec struct {
	use  string
	jose string // "alg" in the store, JWT header and JWKS
	bits int    // RSA modulus size; 0 for non-RSA
}

var algSpecs = map[string]algSpec{
	AlgRS256:      {use: "sig", jose: string(jose.RS256), bits: 2048},
	AlgRS256_4096: {use: "sig", jose: string(jose.RS256), bits: 4096},
	AlgES256:      {use: "sig", jose: string(jose.ES256)},
	AlgEdDSA:      {use: "sig", jose: string(jose.EdDSA)},
	AlgRSAOAEP256: {use: "enc", jose: string(jose.RSA_OAEP_256), bits: 2048},
}

// GenerateKey makes a new private key for a RingOptions.Alg with crypto/rand.
// It is the default RingOptions.Generate.
func GenerateKey(alg string) (crypto.Signer, error) {
	spec, ok := algSpecs[alg]
	if !ok {
		return nil, fmt.Errorf("keys.GenerateKey: unknown algorithm %q", alg)
	}
	switch {
	case spec.bits > 0:
		return rsa.GenerateKey(rand.Reader, spec.bits)
	case alg == AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
}

// checkKey verifies that a generated key fits the algorithm, so that a wrong
// fixture or generator fails at creation, not at the first signature.
func checkKey(alg string, spec algSpec, k crypto.Signer) error {
	ok := false
	switch key := k.(type) {
	case *rsa.PrivateKey:
		ok = spec.bits > 0 && key.N.BitLen() == spec.bits
	case *ecdsa.PrivateKey:
		ok = alg == AlgES256 && key.Curve == elliptic.P256()
	case ed25519.PrivateKey:
		ok = alg == AlgEdDSA
	}
	if !ok {
		return fmt.Errorf("keys: generated key %T does not fit algorithm %s", k, alg)
	}
	return nil
}

// publicPEM encodes a public key as SPKI PEM ("BEGIN PUBLIC KEY").
func publicPEM(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("keys: marshal public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// keyID is the RFC 7638 JWK thumbprint (SHA-256, base64url): stable for a
// key, recomputable by anyone who holds the public key.
func keyID(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint: %w", err)
	}
	if len(sum) != sha256.Size {
		return "", fmt.Errorf("keys: thumbprint of %d bytes", len(sum))
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// parsePrivate decodes an opened PKCS#8 private key.
func parsePrivate(der []byte) (crypto.Signer, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: parse private key: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keys: private key %T is not a signer", k)
	}
	return s, nil
}
