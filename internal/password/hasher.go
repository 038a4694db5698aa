package password

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Options configure a Hasher. Zero fields take the documented defaults.
type Options struct {
	Params  Params // zero fields from DefaultParams
	Workers int    // hashes run at once; default runtime.NumCPU()
	// MaxWait is the longest expected wait for a worker a caller is
	// admitted to (its place in the queue × the measured hash time ÷
	// Workers); beyond it the caller gets ErrOverloaded at once. Default
	// DefaultMaxWait (GATEHOUSE_HASH_MAX_WAIT).
	MaxWait time.Duration
	// Queue, when positive, also caps the callers waiting whatever their
	// expected wait; 0 leaves the wait budget alone in charge; negative
	// lets nobody wait.
	Queue int
	Now   func() time.Time // measures the hashes; default time.Now
	// Process, when set, runs argon2id in a hash worker process at a lower
	// CPU priority (process.go); nil hashes in this process.
	Process *ProcessOptions
}

// DefaultMaxWait is the default budget of a caller's expected wait for a
// hashing worker: a sign-in that waits two seconds behind others is still
// an ordinary sign-in to a person, and a flood beyond that is refused fast.
const DefaultMaxWait = 2 * time.Second

// Hasher is the identity.PasswordHasher: argon2id behind a bounded pool.
type Hasher struct {
	params Params
	limits limits
	pool   *pool
	dummy  phc // what an empty hash is checked against

	// hashFn computes the argon2id key; tests replace it to hold a worker.
	hashFn func(password, salt []byte, p Params) []byte
	proc   *process // when set, computes the key instead of hashFn
}

var _ identity.PasswordHasher = (*Hasher)(nil)

// New returns a Hasher for o. It fails when o.Params are out of bounds.
func New(o Options) (*Hasher, error) {
	p := o.Params.withDefaults()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("password.New: %w", err)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// The dummy needs the configured costs and a salt, not a real key: a
	// login against it recomputes argon2id in full and then compares with
	// random bytes no password can produce, so building it costs nothing.
	dummy := phc{params: p, salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen)}
	rand.Read(dummy.salt) // crypto/rand.Read never fails (Go 1.24+)
	rand.Read(dummy.key)
	h := &Hasher{
		params: p,
		limits: defaultLimits(),
		pool:   newPool(o.Workers, newAdmission(o.Workers, o.Queue, o.MaxWait, priorHashTime(p)), o.Now),
		dummy:  dummy,
		hashFn: argon2id,
	}
	if o.Process != nil {
		// Started now, so that a worker that cannot run stops the server's
		// start rather than its first sign-in.
		h.proc = newProcess(*o.Process)
		if _, _, err := h.proc.child(); err != nil {
			return nil, fmt.Errorf("password.New: %w", err)
		}
	}
	return h, nil
}

// Close stops the hash worker process, if there is one.
func (h *Hasher) Close() {
	if h.proc != nil {
		h.proc.close()
	}
}

// key computes the argon2id key, in the worker process when there is one.
func (h *Hasher) key(password, salt []byte, p Params) ([]byte, error) {
	if h.proc != nil {
		return h.proc.hash(password, salt, p)
	}
	return h.hashFn(password, salt, p), nil
}

func argon2id(password, salt []byte, p Params) []byte {
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// Params returns the configured parameters, those of every new hash.
func (h *Hasher) Params() Params { return h.params }

// Saturated reports whether a hash asked for now would be refused with
// core.ErrOverloaded (identity.Service.HashCapacity refuses a sign-in before
// its database reads then).
func (h *Hasher) Saturated() bool { return h.pool.refusal() != nil }

// Refusal is the error a hash asked for now would be refused with —
// core.ErrOverloaded with a Retry-After of the wait the caller would have
// met — or nil when it would be admitted. Like Saturated it takes no place.
func (h *Hasher) Refusal() error { return h.pool.refusal() }

// Stats returns the pool's current load and rejection count.
func (h *Hasher) Stats() Stats { return h.pool.stats() }

// Hash returns the argon2id PHC string of password with a fresh salt.
// Returns core.ErrOverloaded when the expected wait for a worker is beyond
// the budget, ctx.Err() when ctx ends while waiting.
func (h *Hasher) Hash(ctx context.Context, password string) (_ string, err error) {
	defer core.Op(&err, "password.Hash")
	out := phc{params: h.params, salt: make([]byte, h.params.SaltLen)}
	rand.Read(out.salt)
	var kerr error
	err = h.pool.do(ctx, func() {
		out.key, kerr = h.key([]byte(password), out.salt, out.params)
	})
	if err = cmp.Or(err, kerr); err != nil {
		return "", err
	}
	return out.encode(), nil
}

// Verify reports whether password matches hash, an argon2id PHC string or
// a bcrypt hash. rehash is true, only alongside ok, when the hash should be
// replaced: bcrypt, or argon2id with other parameters than the configured
// ones. An empty hash (unknown user) costs a full hash with the configured
// parameters and reports false. Returns an error wrapping ErrBadHash for a
// malformed hash or absurd parameters (before any work), core.ErrOverloaded
// when the expected wait for a worker is beyond the budget, ctx.Err() when
// ctx ends while waiting.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (ok, rehash bool, err error) {
	defer core.Op(&err, "password.Verify")
	switch {
	case hash == "":
		_, err := h.verifyArgon2(ctx, h.dummy, password)
		return false, false, err
	case isBcrypt(hash):
		return h.verifyBcrypt(ctx, hash, password)
	}
	stored, err := parsePHC(hash, h.limits)
	if err != nil {
		return false, false, err
	}
	ok, err = h.verifyArgon2(ctx, stored, password)
	return ok, ok && stored.params != h.params, err
}

func (h *Hasher) verifyArgon2(ctx context.Context, stored phc, password string) (bool, error) {
	var ok bool
	var kerr error
	err := h.pool.do(ctx, func() {
		var key []byte
		if key, kerr = h.key([]byte(password), stored.salt, stored.params); kerr == nil {
			ok = stored.matches(key)
		}
	})
	return ok, cmp.Or(err, kerr)
}

// isBcrypt recognises the bcrypt prefixes we import. $2b$ and $2y$ name the
// corrected algorithm x/crypto/bcrypt implements, and $2a$ hashes agree with
// it; $2x$ (crypt_blowfish's 8-bit bug) is deliberately not accepted.
func isBcrypt(hash string) bool {
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		if strings.HasPrefix(hash, prefix) {
			return true
		}
	}
	return false
}

// verifyBcrypt checks an imported hash. Like the C implementations that
// made such hashes, bcrypt reads only the first 72 bytes of the password;
// the rehash that follows a success stores argon2id over all of it.
func (h *Hasher) verifyBcrypt(ctx context.Context, hash, password string) (ok, rehash bool, err error) {
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		return false, false, fmt.Errorf("%w: bcrypt: %v", ErrBadHash, err)
	}
	if cost > h.limits.maxBcryptCost {
		return false, false, fmt.Errorf("%w: bcrypt cost %d exceeds %d", ErrBadHash, cost, h.limits.maxBcryptCost)
	}
	var cmpErr error
	err = h.pool.do(ctx, func() {
		cmpErr = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	})
	switch {
	case err != nil:
		return false, false, err
	case cmpErr == nil:
		return true, true, nil
	case errors.Is(cmpErr, bcrypt.ErrMismatchedHashAndPassword):
		return false, false, nil
	default:
		return false, false, fmt.Errorf("%w: bcrypt: %v", ErrBadHash, cmpErr)
	}
}
