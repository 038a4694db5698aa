// Package keystest hands out committed key fixtures to tests, because
// generating RSA keys costs 100 ms or more each (docs/design.md "Tests").
// The fixtures in testdata were made once with openssl genpkey (PKCS#8 PEM);
// they are test material only and must never sign a real token.
package keystest

import (
	"crypto"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"path"
	"sync"
)

//go:embed testdata/*.pem
var fixtures embed.FS

// fixtureFiles lists the files per RingOptions.Alg, in the order handed out.
var fixtureFiles = map[string][]string{
	"RS256":        {"rsa2048-1", "rsa2048-2", "rsa2048-3", "rsa2048-4", "rsa2048-5", "rsa2048-6", "rsa2048-7", "rsa2048-8"},
	"RS256-4096":   {"rsa4096-1", "rsa4096-2"},
	"ES256":        {"p256-1", "p256-2", "p256-3", "p256-4"},
	"EdDSA":        {"ed25519-1", "ed25519-2", "ed25519-3", "ed25519-4"},
	"RSA-OAEP-256": {"rsa2048-enc-1", "rsa2048-enc-2", "rsa2048-enc-3", "rsa2048-enc-4"},
}

// Generator returns a keys.RingOptions.Generate that hands out the fixtures
// of each algorithm in turn: 8 for RS256, 2 for RS256-4096, 4 each for
// ES256, EdDSA and RSA-OAEP-256 (distinct from the signing ones). Keys are named by their thumbprint, so
// rings that share a store (two "nodes") must share one generator, or they
// would create the same key twice; after the last fixture it starts over.
func Generator() func(alg string) (crypto.Signer, error) {
	var mu sync.Mutex
	next := map[string]int{}
	return func(alg string) (crypto.Signer, error) {
		files, ok := fixtureFiles[alg]
		if !ok {
			return nil, fmt.Errorf("keystest: no fixture for %q", alg)
		}
		mu.Lock()
		i := next[alg]
		next[alg] = i + 1
		mu.Unlock()
		return Key(files[i%len(files)])
	}
}

// Key returns the fixture of that name (e.g. "rsa2048-1", "p256-2",
// "ed25519-3", "rsa4096-1").
func Key(name string) (crypto.Signer, error) {
	b, err := fixtures.ReadFile(path.Join("testdata", name+".pem"))
	if err != nil {
		return nil, fmt.Errorf("keystest: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("keystest: %s is not PEM", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("keystest: %s: %w", name, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keystest: %s: %T is not a signer", name, k)
	}
	return s, nil
}
