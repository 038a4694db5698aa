package identity

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"strings"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/sha3"

	"github.com/gatehouse/gatehouse/internal/core"
)

// ParseChainAddress recognises the two address forms of the platform door
// (docs/platform.md) and returns the chain name:
//   - "evm": 0x + 40 hex digits; mixed case must carry a valid EIP-55 checksum.
//   - "waves": base58 of 26 bytes: version 1, chain id, 20-byte public key
//     hash, and a 4-byte checksum = keccak256(blake2b256(first 22 bytes))[:4].
func ParseChainAddress(s string) (string, error) {
	bad := core.Invalid("invalid_address", "address", "address is not a valid Waves or EVM address")
	switch {
	case s == "":
		return "", core.Invalid("missing_field", "address", "address is required")
	case len(s) == 42 && (strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")):
		if !validEVM(s[2:]) {
			return "", bad
		}
		return "evm", nil
	case len(s) >= 30 && len(s) <= 40:
		if !validWaves(s) {
			return "", bad
		}
		return "waves", nil
	}
	return "", bad
}

func validEVM(h string) bool {
	if _, err := hex.DecodeString(h); err != nil {
		return false
	}
	lower, upper := strings.ToLower(h), strings.ToUpper(h)
	if h == lower || h == upper {
		return true // no checksum carried
	}
	k := sha3.NewLegacyKeccak256()
	k.Write([]byte(lower))
	sum := k.Sum(nil)
	for i, c := range h {
		if c >= '0' && c <= '9' {
			continue
		}
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if (nibble >= 8) != (c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func validWaves(s string) bool {
	b, ok := base58Decode(s)
	if !ok || len(b) != 26 || b[0] != 1 {
		return false
	}
	bh := blake2b.Sum256(b[:22])
	k := sha3.NewLegacyKeccak256()
	k.Write(bh[:])
	return bytes.Equal(k.Sum(nil)[:4], b[22:])
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Decode decodes Bitcoin-alphabet base58 (an encoding, not crypto).
func base58Decode(s string) ([]byte, bool) {
	n := new(big.Int)
	radix := big.NewInt(58)
	for _, c := range []byte(s) {
		i := strings.IndexByte(base58Alphabet, c)
		if i < 0 {
			return nil, false
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(i)))
	}
	out := n.Bytes()
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	return append(make([]byte, zeros), out...), true
}
