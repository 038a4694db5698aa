package password

import (
	"context"
	"errors"
	"testing"
)

const refHash = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"

// FuzzVerify feeds arbitrary hash strings and passwords to Verify: it must
// never panic, and its answers must stay consistent. The published API corpus in
// testdata/fuzz/FuzzVerify holds valid argon2id and bcrypt hashes and
// near misses of each.
func FuzzVerify(f *testing.F) {
	f.Add(refHash, "password")
	f.Add("", "password")
	f.Add("$argon2id$v=19$m=256,t=2,p=1$$", "")
	h := newHasher(f, Options{Params: cheap})
	// Bounds low enough that a fuzzed hash cannot make one input cost
	// seconds; the parsing paths are the same as with the real bounds.
	h.limits = limits{maxMemory: 256, maxTime: 2, maxThreads: 2, maxBcryptCost: 4}
	f.Fuzz(func(t *testing.T, hash, password string) {
		ok, rehash, err := h.Verify(context.Background(), hash, password)
		switch {
		case err != nil && !errors.Is(err, ErrBadHash):
			t.Fatalf("Verify(%q) err = %v; want nil or ErrBadHash", hash, err)
		case err != nil && (ok || rehash):
			t.Fatalf("Verify(%q) = %v, %v with err %v", hash, ok, rehash, err)
		case rehash && !ok:
			t.Fatalf("Verify(%q) asks rehash of a wrong password", hash)
		case hash == "" && ok:
			t.Fatal("Verify accepted the empty hash")
		}
		// A hash that parses has one spelling: the one we would write.
		if stored, err := parsePHC(hash, h.limits); err == nil && stored.encode() != hash {
			t.Fatalf("parsePHC(%q) re-encodes as %q", hash, stored.encode())
		}
	})
}
