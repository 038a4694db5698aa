package identity

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Permanent API keys: a user makes them (the cashdesk API: "generate a permanent
// API key in the personal cabinet") and any door accepts them wherever it
// accepts an access token. The secret is shown once; only its SHA-256 is
// stored (docs/design.md "Decisions": argon2 would cost every request 30 ms, and
// 256 random bits need no stretching).

// APIKeyPrefix starts every key, so that a key is recognisable in a header,
// a log scan or a secret scanner, and told apart from a JWT without a lookup.
const APIKeyPrefix = "ghk_"

// apiKeyShown is how much of a key lists show: the prefix and 8 characters
// (48 bits), enough to tell keys apart, far too little to guess the rest.
const apiKeyShown = len(APIKeyPrefix) + 8

// MaxAPIKeys bounds the active keys of one user.
const MaxAPIKeys = 100

// APIKeyTouchEvery is how often a key's LastUsedAt is written at most.
const APIKeyTouchEvery = time.Minute

// Scopes an API key may be limited to: the doors it opens, and "keys" for
// managing API keys. A key without scopes opens everything its user may
// at the doors that take keys. The bank door is not among them: its
// endpoints need a passed factor chain, which a key never passes, so a
// "bank" scope would promise what no key can do and is refused
// (docs/bank.md). Keys made before this rule with "bank" keep it, unused.
var APIKeyScopes = []string{"admin", "cashdesk", "keys", "platform"}

// APIKey is the stored half of a permanent API key.
type APIKey struct {
	ID         string // UUID
	UserID     int64
	Name       string
	Prefix     string // the key's first characters, shown in lists
	Hash       []byte // SHA-256 of the whole key
	Scopes     []string
	CreatedAt  time.Time
	ExpiresAt  *time.Time // nil: never
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Active reports whether the key authenticates at now.
func (k APIKey) Active(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// APIKeySpec is what a user asks for.
type APIKeySpec struct {
	Name      string
	ExpiresAt *time.Time
	Scopes    []string
}

var scopeRe = regexp.MustCompile(`^[a-z]+$`)

// CreateAPIKey makes a key for the user of a.Principal and returns it with
// its secret, which is never available again. Minting a credential that
// outlives every session needs a recent authentication (requireRecentAuth:
// ErrAPIKeyCannotMint for a key, ErrReauthRequired, or Reauthenticate's
// errors); the owner is mailed in the key's transaction.
func (s *Service) CreateAPIKey(ctx context.Context, a RecentAuth, spec APIKeySpec) (k APIKey, secret string, err error) {
	defer core.Op(&err, "CreateAPIKey")
	if a.Principal.ViaAPIKey() { // before anything else: a key never mints
		return APIKey{}, "", core.ErrAPIKeyCannotMint
	}
	u, now := a.Principal.User, s.now()
	name := strings.TrimSpace(spec.Name)
	if name == "" || len(name) > 100 || !utf8.ValidString(name) {
		return APIKey{}, "", core.Invalid("invalid_name", "name", "name is required, at most 100 bytes")
	}
	if spec.ExpiresAt != nil && !spec.ExpiresAt.After(now) {
		return APIKey{}, "", core.Invalid("invalid_expiry", "expires_at", "expires_at must be in the future")
	}
	scopes, err := cleanScopes(spec.Scopes)
	if err != nil {
		return APIKey{}, "", err
	}
	if err := s.requireRecentAuth(ctx, a); err != nil {
		return APIKey{}, "", err
	}
	if err := s.roomForKey(ctx, u.ID, now); err != nil {
		return APIKey{}, "", err
	}
	secret = APIKeyPrefix + core.NewSecret()
	k = APIKey{
		ID: uuid.NewString(), UserID: u.ID, Name: name, Prefix: secret[:apiKeyShown], Hash: core.HashSecret(secret),
		Scopes: scopes, CreatedAt: now, ExpiresAt: utcPtr(spec.ExpiresAt),
	}
	// The row names the key by id and shown prefix, never the secret.
	e := AuditEvent{Type: AuditKeyCreated, UserID: u.ID, Actor: ActorFor(ctx, u.ID), Subject: k.ID,
		Detail: map[string]string{"name": name, "prefix": k.Prefix, "scopes": strings.Join(scopes, ",")}}
	err = s.audited(ctx, e, func(tx Store) error {
		if err := tx.InsertAPIKey(ctx, &k); err != nil {
			return err
		}
		if err := s.Mail.Queue(ctx, tx, u.Email, "api_key_created", u.Locale, mintedMail(ctx, u, now,
			map[string]string{"key_name": name, "prefix": k.Prefix})); err != nil {
			return err
		}
		return core.KeepReply(ctx, tx, IssuedAPIKey{Key: k, Secret: secret})
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return k, secret, nil
}

// roomForKey answers ErrTooManyAPIKeys when the user has MaxAPIKeys active keys.
func (s *Service) roomForKey(ctx context.Context, userID int64, now time.Time) error {
	existing, err := s.store.APIKeysOf(ctx, userID)
	if err != nil {
		return err
	}
	active := 0
	for _, x := range existing {
		if x.Active(now) {
			active++
		}
	}
	if active >= MaxAPIKeys {
		return core.ErrTooManyAPIKeys
	}
	return nil
}

// IssuedAPIKey is a key with its secret, as the answer that creates it
// shows it once: the reply kept for an Idempotency-Key holds it sealed.
type IssuedAPIKey struct {
	Key    APIKey
	Secret string
}

func cleanScopes(in []string) ([]string, error) {
	out := []string{}
	for _, sc := range in {
		if !scopeRe.MatchString(sc) || !slices.Contains(APIKeyScopes, sc) {
			return nil, core.Invalid("invalid_scope", "scopes", "scopes must be among: "+strings.Join(APIKeyScopes, ", "))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	slices.Sort(out)
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// APIKeys lists the user's keys, newest first, revoked and expired ones too.
func (s *Service) APIKeys(ctx context.Context, userID int64) ([]APIKey, error) {
	return s.store.APIKeysOf(ctx, userID)
}

// RevokeAPIKey revokes one of the user's keys; ErrNotFound when the user has
// no key with this id (so ids of others are not confirmed).
func (s *Service) RevokeAPIKey(ctx context.Context, userID int64, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return core.ErrNotFound
	}
	e := AuditEvent{Type: AuditKeyRevoked, UserID: userID, Actor: ActorFor(ctx, userID), Subject: id}
	return s.audited(ctx, e, func(tx Store) error { return tx.RevokeAPIKey(ctx, userID, id, s.now()) })
}
