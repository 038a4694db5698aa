package identity

import (
	"math/big"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/sha3"
)

// wavesAddress builds a Waves address the way a Waves node does, so the
// test does not depend on a copied example.
func wavesAddress(chain byte, pkHash [20]byte) string {
	b := append([]byte{1, chain}, pkHash[:]...)
	bh := blake2b.Sum256(b)
	k := sha3.NewLegacyKeccak256()
	k.Write(bh[:])
	b = append(b, k.Sum(nil)[:4]...)
	n := new(big.Int).SetBytes(b)
	var out []byte
	for n.Sign() > 0 {
		m := new(big.Int)
		n.DivMod(n, big.NewInt(58), m)
		out = append([]byte{base58Alphabet[m.Int64()]}, out...)
	}
	return string(out)
}

func TestChainAddresses(t *testing.T) {
	waves := wavesAddress('W', [20]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	broken := []byte(waves)
	broken[len(broken)-1] ^= 1 // a different last character breaks the checksum
	if broken[len(broken)-1] == '0' || strings.IndexByte(base58Alphabet, broken[len(broken)-1]) < 0 {
		broken[len(broken)-1] = '2'
	}
	cases := []struct {
		in, chain string
		ok        bool
	}{
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "evm", true},
		{"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "evm", true},
		{"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "evm", true}, // all lower: no checksum carried
		{"0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "evm", true}, // all upper: no checksum carried
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "", false},   // one letter's case off
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "", false},    // 39 digits
		{"0xZZZeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "", false},
		{waves, "waves", true},
		{string(broken), "", false},
		{"3PAWwWa6GbwcJaFzwqXQN5KQm7H96Y7SHT0", "", false}, // 0 is not base58
		{"", "", false},
	}
	for _, c := range cases {
		chain, err := ParseChainAddress(c.in)
		if (err == nil) != c.ok || chain != c.chain {
			t.Errorf("ParseChainAddress(%q) = %q, %v; want %q ok=%v", c.in, chain, err, c.chain, c.ok)
		}
	}
}

func FuzzParseChainAddress(f *testing.F) {
	f.Add("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	f.Add(wavesAddress('T', [20]byte{}))
	f.Add("1111111111111111111111111111111")
	f.Fuzz(func(t *testing.T, s string) {
		chain, err := ParseChainAddress(s)
		if (err == nil) == (chain == "") {
			t.Fatalf("ParseChainAddress(%q) = %q, %v", s, chain, err)
		}
	})
}
