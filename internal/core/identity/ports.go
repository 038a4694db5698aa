package identity

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
)

// PasswordHasher hashes and checks passwords (internal/password: argon2id
// behind a bounded worker pool). Both methods return ErrOverloaded when the
// pool's queue is full, so that the door answers 503 with Retry-After.
type PasswordHasher interface {
	// Hash returns a PHC-format hash of password.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches hash. An empty hash does the
	// same work against a dummy hash and reports false, so unknown users
	// cost what known ones cost. rehash is true when the hash should be
	// replaced (older parameters, or an imported bcrypt hash).
	Verify(ctx context.Context, hash, password string) (ok, rehash bool, err error)
}

// saturable is implemented by a PasswordHasher that can tell, without
// taking a place, that a hash asked for now would be turned away: Refusal
// is then core.ErrOverloaded with a Retry-After of the wait the caller
// would have met, else nil.
type saturable interface {
	Refusal() error
}

// Claims are the claims of an access token (docs/design.md "Decisions").
type Claims struct {
	Issuer    string
	Subject   string // the user's UUID
	Audience  string
	IssuedAt  time.Time
	ExpiresAt time.Time
	ID        string // jti
	SessionID string // sid
	// Type is the header's typ as Verify read it (RFC 7515 §4.1.9). Sign
	// writes "JWT" (every first-party token) when empty, or
	// AccessTokenType (the standard door's RFC 9068 tokens).
	Type  string
	Extra map[string]any
}

// TokenSigner signs and verifies access tokens (internal/keys: JWT with the
// current signing key, kid in the header).
type TokenSigner interface {
	Sign(ctx context.Context, c Claims) (string, error)
	// Verify checks the signature against every published key and decodes
	// the claims; it does not judge exp, iss or aud (the core does).
	Verify(ctx context.Context, token string) (Claims, error)
}

// Mailer renders a message of a kind in a locale and queues it in the outbox
// through st, so that the mail is written in the caller's transaction and
// never lost when SMTP is down (internal/mail). data holds the template
// fields: code, link, email, name.
type Mailer interface {
	Queue(ctx context.Context, st outbox.Enqueuer, to, kind, locale string, data map[string]string) error
	// Prepare renders and seals a message as Queue would, without writing
	// it: a store writes it in one statement with the change it tells of
	// (Records.OpenSession), and Wake tells the worker once it was written.
	Prepare(to, kind, locale string, data map[string]string) (outbox.Message, error)
	Wake()
}
