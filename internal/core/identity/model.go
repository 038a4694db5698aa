package identity

import "time"

// User is one identity, shared by every door. ID is the numeric id the bank
// door shows (below 2^53, safe in JavaScript); UUID is what the platform and
// cashdesk doors show.
type User struct {
	ID             int64
	UUID           string
	Email          string // normalised: trimmed, lower case
	EmailConfirmed *time.Time
	PasswordHash   string // PHC string (argon2id) or an imported bcrypt hash
	Name           string
	Locale         string // en, ru or uk
	Source         string // the platform door's source at sign-up
	Roles          []string
	LockedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastSeenAt     *time.Time
}

// Confirmed reports whether the user's e-mail address is confirmed.
func (u User) Confirmed() bool { return u.EmailConfirmed != nil }

// Locked reports whether an administrator (or lockout) has locked the account.
func (u User) Locked() bool { return u.LockedAt != nil }

// Address is a blockchain address a user attached to the profile (the platform API).
type Address struct {
	ID        string // UUID, the published API's addressId
	UserID    int64
	Address   string
	Chain     string // "waves" or "evm"
	Name      string
	CreatedAt time.Time
}

// Session is one login: every token pair belongs to exactly one session, and
// revoking the session revokes all of them (the refresh family).
type Session struct {
	ID        string // UUID, the tokens' sid claim
	UserID    int64
	Door      string // platform, bank, cashdesk, oidc, external, web
	ClientID  string
	Audience  string
	Pending   bool // the bank door's factor chain is not complete yet
	Attrs     map[string]string
	UserAgent string
	IP        string
	Device    string // DeviceKey of the user agent and network it signed in from
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Active reports whether the session can still be used at now.
func (s Session) Active(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// RefreshToken is the stored half of a refresh token: only its SHA-256 hash
// is kept, so a database leak yields nothing usable. The tokens of one
// session form a chain: each use issues the successor.
type RefreshToken struct {
	Hash      []byte
	SessionID string
	UserID    int64
	IssuedAt  time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	Parent    []byte // hash of the token whose use issued this one; nil for a session's first
	Successor []byte // hash of the token this one's use issued; nil while unused
	// SealedSuccessor is the successor's plaintext sealed with the master
	// key, kept while the successor is unused and the refresh grace lasts,
	// so that a retry of this token gets the same successor (refresh.go).
	SealedSuccessor []byte
}

// CodeKind names what a mailed code or token is for.
type CodeKind string

const (
	CodeConfirmEmail  CodeKind = "confirm_email"
	CodeResetPassword CodeKind = "reset_password"
)

// Code is a single-use secret sent by mail, stored as its SHA-256 hash.
type Code struct {
	Hash      []byte
	Kind      CodeKind
	UserID    int64
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Search string // substring of e-mail or name, case-insensitive
	Limit  int
	Offset int
}

// TOTPSecret is a user's RFC 6238 secret, sealed with the master key.
// LastStep is the last time step accepted, so a code is never accepted
// twice.
type TOTPSecret struct {
	UserID      int64
	Sealed      []byte
	ConfirmedAt *time.Time // nil until the user proved the authenticator works
	LastStep    int64
	CreatedAt   time.Time
}

// Device is a browser or phone the user trusts: a login from it may skip
// the factor chain when the role allows. Only the SHA-256 of the
// Device-Fingerprint header is kept.
type Device struct {
	ID              string // UUID
	UserID          int64
	FingerprintHash []byte
	Name            string // the User-Agent when trusted, or a name the user gave
	CreatedAt       time.Time
	LastUsedAt      time.Time
}
