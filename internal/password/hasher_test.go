package password

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// cheap keeps tests fast on a two-core machine; DefaultParams is exercised
// once, in TestDefaultParamsHashAndVerify.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func newHasher(t testing.TB, o Options) *Hasher {
	t.Helper()
	h, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return h
}

// countCalls wraps h.hashFn and records the parameters of each call.
func countCalls(h *Hasher) func() []Params {
	var mu sync.Mutex
	var calls []Params
	next := h.hashFn
	h.hashFn = func(pw, salt []byte, p Params) []byte {
		mu.Lock()
		calls = append(calls, p)
		mu.Unlock()
		return next(pw, salt, p)
	}
	return func() []Params {
		mu.Lock()
		defer mu.Unlock()
		return append([]Params(nil), calls...)
	}
}

func TestHashThenVerifyAcceptsTheSamePassword(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Options{Params: cheap})
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=64,t=1,p=1$"; !strings.HasPrefix(hash, want) {
		t.Fatalf("hash %q lacks prefix %q", hash, want)
	}
	ok, rehash, err := h.Verify(ctx, hash, "correct horse")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	again, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyRejectsAWrongPassword(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Options{Params: cheap})
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"correct hors", "correct horse ", "Correct horse", ""} {
		ok, rehash, err := h.Verify(ctx, hash, pw)
		if err != nil || ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", pw, ok, rehash, err)
		}
	}
}

// The reference implementation's known answer (phc-winner-argon2
// src/test.c) proves the PHC layout and the argon2id call interoperate.
func TestVerifyAcceptsTheReferenceImplementationsHash(t *testing.T) {
	const ref = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"
	h := newHasher(t, Options{Params: cheap})
	ok, rehash, err := h.Verify(context.Background(), ref, "password")
	if err != nil || !ok || !rehash {
		t.Fatalf("Verify(reference) = %v, %v, %v; want true, true (other params), nil", ok, rehash, err)
	}
	ok, _, err = h.Verify(context.Background(), ref, "passwore")
	if err != nil || ok {
		t.Fatalf("Verify(reference, wrong) = %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyAsksForRehashWhenParamsChange(t *testing.T) {
	ctx := context.Background()
	old := newHasher(t, Options{Params: cheap})
	hash, err := old.Hash(ctx, "pa55word")
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]Params{
		"memory":  {Memory: 128, Time: 1, Threads: 1},
		"time":    {Memory: 64, Time: 2, Threads: 1},
		"threads": {Memory: 64, Time: 1, Threads: 2},
		"key":     {Memory: 64, Time: 1, Threads: 1, KeyLen: 64},
		"salt":    {Memory: 64, Time: 1, Threads: 1, SaltLen: 32},
	}
	for name, p := range changes {
		t.Run(name, func(t *testing.T) {
			h := newHasher(t, Options{Params: p})
			ok, rehash, err := h.Verify(ctx, hash, "pa55word")
			if err != nil || !ok || !rehash {
				t.Fatalf("Verify(right) = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			ok, rehash, err = h.Verify(ctx, hash, "wrong")
			if err != nil || ok || rehash {
				t.Fatalf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestVerifyImportsBcryptHashesAndAsksForRehash(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Options{Params: cheap})
	raw, err := bcrypt.GenerateFromPassword([]byte("imported pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash := string(raw)
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		variant := prefix + hash[4:]
		ok, rehash, err := h.Verify(ctx, variant, "imported pw")
		if err != nil || !ok || !rehash {
			t.Errorf("Verify(%s…, right) = %v, %v, %v; want true, true, nil", prefix, ok, rehash, err)
		}
		ok, rehash, err = h.Verify(ctx, variant, "imported pW")
		if err != nil || ok || rehash {
			t.Errorf("Verify(%s…, wrong) = %v, %v, %v; want false, false, nil", prefix, ok, rehash, err)
		}
	}
}

func TestVerifyRefusesMalformedHashesWithoutHashing(t *testing.T) {
	const good = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"
	bc, err := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bcHash := string(bc)
	key32 := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	cases := map[string]string{
		"truncated":           good[:len(good)/2],
		"no key field":        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ",
		"extra field":         good + "$AAAA",
		"bad base64 salt":     strings.Replace(good, "c29tZXNhbHQ", "c29t!XNhbHQ", 1),
		"padded base64 key":   good + "=",
		"non-canonical salt":  strings.Replace(good, "c29tZXNhbHQ", "c29tZXNhbHR", 1),
		"bad base64 key":      strings.Replace(good, "nf65", "nf~5", 1),
		"newline in key":      strings.Replace(good, "nf65", "nf\n65", 1),
		"wrong version":       strings.Replace(good, "v=19", "v=16", 1),
		"no version":          strings.Replace(good, "v=19$", "", 1),
		"argon2i":             strings.Replace(good, "argon2id", "argon2i", 1),
		"absurd memory":       strings.Replace(good, "m=64", "m=4194304", 1),
		"memory over uint32":  strings.Replace(good, "m=64", "m=99999999999", 1),
		"absurd time":         strings.Replace(good, "t=1", "t=100000", 1),
		"zero time":           strings.Replace(good, "t=1", "t=0", 1),
		"zero threads":        strings.Replace(good, "p=1", "p=0", 1),
		"threads over 255":    strings.Replace(good, "p=1", "p=256", 1),
		"memory below 8/lane": strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1,p=9", 1),
		"params out of order": strings.Replace(good, "m=64,t=1", "t=1,m=64", 1),
		"signed number":       strings.Replace(good, "m=64", "m=+64", 1),
		"leading zero":        strings.Replace(good, "m=64", "m=064", 1),
		"short salt":          "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key32,
		"short key":           strings.Replace(good, "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "AAAAAAAAAA", 1),
		"unknown scheme":      "$pbkdf2-sha256$29000$c29tZXNhbHQ$abc",
		"plain text":          "hunter2",
		"bcrypt 2x":           "$2x$" + bcHash[4:],
		"bcrypt truncated":    bcHash[:30],
		"bcrypt absurd cost":  bcHash[:4] + "31" + bcHash[6:],
	}
	h := newHasher(t, Options{Params: cheap})
	calls := countCalls(h)
	for name, hash := range cases {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), hash, "password")
			if !errors.Is(err, ErrBadHash) || ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v; want false, false, ErrBadHash", hash, ok, rehash, err)
			}
		})
	}
	if n := len(calls()); n != 0 {
		t.Fatalf("argon2 ran %d times for malformed hashes; want 0", n)
	}
}

func TestVerifyWithEmptyHashDoesTheWorkAndFails(t *testing.T) {
	h := newHasher(t, Options{Params: cheap})
	calls := countCalls(h)
	ok, rehash, err := h.Verify(context.Background(), "", "any password")
	if err != nil || ok || rehash {
		t.Fatalf("Verify(empty) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}
	got := calls()
	if len(got) != 1 || got[0] != h.Params() {
		t.Fatalf("argon2 calls = %+v; want one with the configured %+v", got, h.Params())
	}
}

func TestDefaultParamsHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Options{})
	if h.Params() != DefaultParams() {
		t.Fatalf("Params() = %+v; want DefaultParams %+v", h.Params(), DefaultParams())
	}
	hash, err := h.Hash(ctx, "pässwörd")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := parsePHC(hash, defaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || len(stored.salt) != 16 || len(stored.key) != 32 {
		t.Fatalf("hash %q: want OWASP params, 16-byte salt, 32-byte key", hash)
	}
	ok, rehash, err := h.Verify(ctx, hash, "pässwörd")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestNewRefusesOutOfBoundsParams(t *testing.T) {
	for _, p := range []Params{
		{Memory: 2 << 20},
		{Time: 1000},
		{SaltLen: 4},
		{KeyLen: 8},
		{Memory: 8, Threads: 4},
	} {
		if _, err := New(Options{Params: p}); err == nil {
			t.Errorf("New(%+v) succeeded; want an error", p)
		}
	}
}
