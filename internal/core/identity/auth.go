package identity

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Authenticate checks a login and password. Unknown logins cost the same
// hash as known ones (a dummy hash) and answer the same ErrInvalidCredentials.
// Only a caller who knows the password learns that the account is locked
// (ErrAccountLocked) or unconfirmed (ErrEmailNotConfirmed, when the policy
// demands confirmation). An outdated hash is replaced on success.
func (s *Service) Authenticate(ctx context.Context, login, password string) (u User, err error) {
	defer core.Op(&err, "Authenticate")
	if err := s.HashCapacity(); err != nil {
		return User{}, err
	}
	email := LookupKey(login) // every spelling of an address is one login (email.go)
	if len(email) > 254 || len(password) > 1024 {
		// Still spend the hash so timing does not reveal the early exit.
		_, _, _ = s.Hasher.Verify(ctx, "", password[:min(len(password), 1024)])
		return User{}, core.ErrInvalidCredentials
	}
	// A login that is not text (a door that decrypts it cannot refuse it
	// first: internal/core/text.go) belongs to no account, since sign-up refuses it; it
	// is still a guess, judged after the same hash and counted under its
	// sanitised form, but never looked up.
	key, known := email, core.IsText(email)
	if !known {
		key = core.DisplayText(email, 254)
	}
	g, err := s.readGate(ctx, key, core.CallerOf(ctx).IP)
	if err != nil {
		return User{}, err
	}
	if wait := g.pairWait(s.now()); wait > 0 { // refused before any hashing: lockout.go
		return User{}, s.throttled(ctx, key, User{}, wait, "backoff")
	}
	if known {
		u, err = s.store.UserByEmail(ctx, email)
		if errors.Is(err, core.ErrEmailAmbiguous) {
			u = User{} // stored spellings collide: neither account may sign in as the other
		} else if err != nil && !errors.Is(err, core.ErrNotFound) {
			return User{}, err
		}
	}
	ok, rehash, verr := s.Hasher.Verify(ctx, u.PasswordHash, password) // "" for unknown users: dummy work
	if verr != nil {
		return User{}, verr
	}
	if err := s.judgeAttempt(ctx, key, u, ok, g, AuditLoginFailed); err != nil {
		return User{}, err
	}
	if u.Locked() {
		return User{}, core.ErrAccountLocked
	}
	if s.Policy.RequireConfirmed && !u.Confirmed() {
		return User{}, core.ErrEmailNotConfirmed
	}
	if rehash {
		s.rehash(ctx, u, password)
	}
	return u, nil
}

// HashCapacity answers ErrOverloaded when the password hasher would turn a
// hash away right now, so that a sign-in about to be refused is refused
// before its database reads (and, on the bank door, before its RSA
// decryptions): under a flood the refusals then cost little, and the CPU
// stays with the hashes that were admitted (BENCHMARKS.md, overload). The
// check takes no place; the hash itself is still admitted on its own.
func (s *Service) HashCapacity() error {
	if h, ok := s.Hasher.(saturable); ok {
		return h.Refusal()
	}
	return nil
}

// rehash stores a hash with the current parameters. A failure only costs
// the upgrade, never the login, so it is not returned.
func (s *Service) rehash(ctx context.Context, u User, password string) {
	h, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return
	}
	_, _ = s.store.UpdateUser(ctx, u.ID, func(x *User) error {
		if x.PasswordHash == u.PasswordHash { // unchanged meanwhile
			x.PasswordHash = h
		}
		return nil
	})
}

// SessionSpec describes the session a door opens after authentication.
type SessionSpec struct {
	Door      string
	ClientID  string
	Audience  string
	Pending   bool
	Attrs     map[string]string
	UserAgent string
	IP        string
	Life      time.Duration // how long the session lives; zero: Policy.RefreshTTL
	AccessTTL time.Duration // zero: Policy.AccessTTL
	Extra     map[string]any
	// Parent is the session this one takes over (the bank door's previous
	// step): revoked in the same transaction, and ErrInvalidToken when it
	// is no longer active (a step replayed or raced). The new session
	// keeps its user agent and address and names it in Attrs["parent"];
	// Events are the step's audit rows, written instead of a sign-in's.
	Parent *Session
	Events []AuditEvent
	// AMR, when set, are the RFC 8176 methods the sign-in passed, kept
	// in the session (AMR): the hosted pages record them for the OpenID
	// door's id_tokens. Factors.CompleteSignIn adds the second factor's.
	AMR []string
}

// TokenPair is what every door hands out after a login or refresh.
type TokenPair struct {
	Access       string
	Refresh      string
	AccessExpiry time.Time
	ExpiresIn    time.Duration // access token lifetime as issued
	JTI          string
	Session      Session
	User         User // the session's user, as the pair was issued
}

// StartSession opens a session for an authenticated user and issues its
// first token pair.
func (s *Service) StartSession(ctx context.Context, u User, spec SessionSpec) (p TokenPair, err error) {
	defer core.Op(&err, "StartSession")
	var sess Session
	var refresh string
	if spec.Parent == nil {
		// A sign-in's writes are one call of the store, atomic on its own
		// (Records.OpenSession): no transaction of ours around it.
		sess, refresh, err = s.openSession(ctx, s.store, u, spec)
	} else {
		err = s.store.Tx(ctx, func(tx Store) (err error) {
			sess, refresh, err = s.openSession(ctx, tx, u, spec)
			return err
		})
	}
	if err != nil {
		return TokenPair{}, err
	}
	return s.sign(ctx, u, sess, refresh, spec.AccessTTL, spec.Extra)
}

// openSession stores, through st, a new session of u and its first
// refresh token, with the sign-in's audit row and mail (sessionOpened,
// one call of the store), or, taking over spec.Parent, the step's
// (stepOpened, which needs st to be a transaction). It is the one place a
// session is opened; the caller signs the access token once st has
// committed (sign).
func (s *Service) openSession(ctx context.Context, st Store, u User, spec SessionSpec) (sess Session, refresh string, err error) {
	now := s.now()
	ua, ip, attrs := spec.UserAgent, spec.IP, withAMR(spec.Attrs, spec.AMR)
	if p := spec.Parent; p != nil {
		ua, ip = p.UserAgent, p.IP
		attrs = maps.Clone(attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["parent"] = p.ID
	}
	sess = Session{
		ID: uuid.NewString(), UserID: u.ID, Door: spec.Door, ClientID: spec.ClientID, Audience: spec.Audience,
		Pending: spec.Pending, Attrs: attrs, UserAgent: core.DisplayText(ua, core.MaxUserAgent), IP: ip,
		Device: DeviceKey(ua, ip), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(cmp.Or(spec.Life, s.Policy.RefreshTTL)),
	}
	refresh = core.NewSecret()
	rt := RefreshToken{Hash: core.HashSecret(refresh), SessionID: sess.ID, UserID: u.ID, IssuedAt: now, ExpiresAt: sess.ExpiresAt}
	if spec.Parent != nil {
		err = s.stepOpened(ctx, st, u, *spec.Parent, sess, rt, spec.Events)
	} else {
		err = s.sessionOpened(ctx, st, u, sess, rt)
	}
	if err != nil {
		return Session{}, "", err
	}
	return sess, refresh, nil
}

// sign makes the access token of a pair. It runs after the transaction
// that stored the refresh token has committed: an RSA signature costs a
// millisecond or more, and SQLite's write lock must not wait on it.
func (s *Service) sign(ctx context.Context, u User, sess Session, refresh string, ttl time.Duration, extra map[string]any) (TokenPair, error) {
	now := s.now()
	if ttl <= 0 {
		ttl = s.Policy.AccessTTL
	}
	jti := uuid.NewString()
	c := Claims{
		Issuer: s.Policy.Issuer, Subject: u.UUID, Audience: s.audienceOf(sess), IssuedAt: now,
		ExpiresAt: now.Add(ttl), ID: jti, SessionID: sess.ID, Extra: extra, Type: tokenType(sess),
	}
	if sess.Pending {
		c.Extra = maps.Clone(extra)
		if c.Extra == nil {
			c.Extra = map[string]any{}
		}
		c.Extra["pending"] = true
	}
	access, err := s.Tokens.Sign(ctx, c)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{Access: access, Refresh: refresh, AccessExpiry: c.ExpiresAt, ExpiresIn: ttl, JTI: jti, Session: sess, User: u}, nil
}
