package password

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadHash reports a stored hash that is not a valid argon2id PHC string
// or bcrypt hash, or whose parameters are outside the accepted bounds. It is
// an internal error (a corrupt row), never the user's fault.
var ErrBadHash = errors.New("malformed or unsupported password hash")

// Params are argon2id's cost parameters (RFC 9106 section 3.1).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes; argon2 runs this many goroutines per hash
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns OWASP's recommended argon2id setting: 19 MiB, two
// passes, one lane, with a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// withDefaults fills the zero fields from DefaultParams, so that a test or
// a config can set only the costs it cares about.
func (p Params) withDefaults() Params {
	d := DefaultParams()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	return p
}

// limits bound the parameters Verify accepts from a stored hash. A corrupt
// or hostile row must not make one login allocate gigabytes or spin for
// minutes, so absurd values are an error before any work is done.
type limits struct {
	maxMemory     uint32 // KiB
	maxTime       uint32
	maxThreads    uint8
	maxBcryptCost int
}

func defaultLimits() limits {
	// 1 GiB, 32 passes and 64 lanes are far above any sane setting; bcrypt
	// cost 16 is about four seconds, the most an imported hash may ask.
	return limits{maxMemory: 1 << 20, maxTime: 32, maxThreads: 64, maxBcryptCost: 16}
}

const (
	minSaltLen = 8 // RFC 9106 section 3.1
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// Validate reports whether p is usable as the configured parameters.
func (p Params) Validate() error {
	return p.check(defaultLimits())
}

func (p Params) check(l limits) error {
	switch {
	case p.Threads < 1 || p.Threads > l.maxThreads:
		return fmt.Errorf("argon2id threads %d outside 1..%d", p.Threads, l.maxThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > l.maxMemory:
		// argon2 needs 8 KiB per lane.
		return fmt.Errorf("argon2id memory %d KiB outside %d..%d", p.Memory, 8*uint32(p.Threads), l.maxMemory)
	case p.Time < 1 || p.Time > l.maxTime:
		return fmt.Errorf("argon2id time %d outside 1..%d", p.Time, l.maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2id salt length %d outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2id key length %d outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// phc is a decoded argon2id hash.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

const phcPrefix = "$argon2id$v=19$"

// b64 is the PHC string format's base64: standard alphabet, no padding.
// Strict refuses non-zero trailing bits, so one hash has one spelling.
var b64 = base64.RawStdEncoding.Strict()

// encode renders the PHC string of the reference implementation:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func (h phc) encode() string {
	return fmt.Sprintf("%sm=%d,t=%d,p=%d$%s$%s", phcPrefix,
		h.params.Memory, h.params.Time, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// matches compares key with the stored one in constant time.
func (h phc) matches(key []byte) bool {
	return subtle.ConstantTimeCompare(h.key, key) == 1
}

// parsePHC decodes an argon2id PHC string and checks its parameters
// against l. Only version 19 (0x13, the RFC's) is accepted.
func parsePHC(s string, l limits) (phc, error) {
	rest, found := strings.CutPrefix(s, phcPrefix)
	// encoding/base64 skips \r and \n; refuse them so that one hash has
	// one spelling (found by FuzzVerify).
	if !found || strings.ContainsAny(rest, "\r\n") {
		return phc{}, fmt.Errorf("%w: not an argon2id v=19 PHC string", ErrBadHash)
	}
	fields := strings.Split(rest, "$")
	if len(fields) != 3 {
		return phc{}, fmt.Errorf("%w: want params, salt and hash fields, got %d", ErrBadHash, len(fields))
	}
	var h phc
	var err error
	if h.params, err = parseCosts(fields[0]); err != nil {
		return phc{}, err
	}
	if h.salt, err = b64.DecodeString(fields[1]); err != nil {
		return phc{}, fmt.Errorf("%w: salt: %v", ErrBadHash, err)
	}
	if h.key, err = b64.DecodeString(fields[2]); err != nil {
		return phc{}, fmt.Errorf("%w: hash: %v", ErrBadHash, err)
	}
	h.params.SaltLen, h.params.KeyLen = uint32(len(h.salt)), uint32(len(h.key))
	if err := h.params.check(l); err != nil {
		return phc{}, fmt.Errorf("%w: %v", ErrBadHash, err)
	}
	return h, nil
}

// parseCosts reads "m=<KiB>,t=<passes>,p=<lanes>" in that order, digits in
// canonical form only.
func parseCosts(s string) (Params, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Params{}, fmt.Errorf("%w: want m, t and p, got %q", ErrBadHash, s)
	}
	var v [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		num, ok := strings.CutPrefix(parts[i], name+"=")
		n, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil || strconv.FormatUint(n, 10) != num {
			return Params{}, fmt.Errorf("%w: bad %s in %q", ErrBadHash, name, s)
		}
		v[i] = n
	}
	if v[2] > 255 {
		return Params{}, fmt.Errorf("%w: p=%d exceeds 255", ErrBadHash, v[2])
	}
	return Params{Memory: uint32(v[0]), Time: uint32(v[1]), Threads: uint8(v[2])}, nil
}
