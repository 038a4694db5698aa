package identity

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Re-authentication: a signed-in user proves again that they are the
// account's owner, by re-entering the current password or by a recent
// sign-in. A stolen access token lives a quarter of an hour (a cashdesk
// shift token half a day); what it may not do is turn itself into
// something that outlives it (an API key, an external service's session)
// or change the password, unless its holder also knows the password.

// maxPasswordBytes bounds what is handed to the hasher; a longer string
// is never a password (the policy allows 1024 characters at most, and
// argon2 would hash megabytes).
const maxPasswordBytes = 4096

// Reauthenticate checks the current password the signed-in user u
// re-enters (a password change, enrolling a factor, minting a key from an
// older session). It is the login's check (lockout.go): during a backoff
// of u's login from the caller's IP it answers ErrTooManyAttempts before
// any hashing; a wrong password counts toward the same counters as a
// failed login and answers ErrInvalidCredentials; during an account lock
// only the right password from a network the user has signed in from
// passes. A right password clears the IP's backoff counter, as a sign-in
// does. ErrOverloaded when the hashing pool is full.
func (s *Service) Reauthenticate(ctx context.Context, u User, password string) (err error) {
	defer core.Op(&err, "Reauthenticate")
	if err := s.HashCapacity(); err != nil {
		return err
	}
	ip := core.CallerOf(ctx).IP
	g, err := s.readGate(ctx, u.Email, ip)
	if err != nil {
		return err
	}
	if wait := g.pairWait(s.now()); wait > 0 { // refused before any hashing
		return s.throttled(ctx, u.Email, u, wait, "password re-entry during backoff")
	}
	ok := false
	if password != "" && len(password) <= maxPasswordBytes {
		if ok, _, err = s.Hasher.Verify(ctx, u.PasswordHash, password); err != nil {
			return err
		}
	}
	if err := s.judgeAttempt(ctx, u.Email, u, ok, g, AuditReauthFailed); err != nil {
		return err
	}
	return s.clearPair(ctx, s.store, u, ip)
}

// RecentAuth is how a request that mints a lasting credential proves its
// holder: the principal, and the password it re-entered ("" when none).
type RecentAuth struct {
	Principal Principal
	Password  string
}

// requireRecentAuth admits a request to mint an API key or an external
// token: never for an API key (ErrAPIKeyCannotMint); with a password, when
// Reauthenticate accepts it (its errors); without one, when the session's
// sign-in (AuthTime, not its last refresh) is at most Policy.ReauthMaxAge
// old (ErrReauthRequired otherwise; a zero max age always asks for the
// password).
func (s *Service) requireRecentAuth(ctx context.Context, a RecentAuth) error {
	p := a.Principal
	if p.ViaAPIKey() {
		return core.ErrAPIKeyCannotMint
	}
	if provenRecently(ctx, p) { // judged by the door's guard (reauth_proof.go)
		return nil
	}
	if a.Password != "" {
		return s.Reauthenticate(ctx, p.User, a.Password)
	}
	at, maxAge := AuthTime(p.Session), s.Policy.ReauthMaxAge
	if maxAge <= 0 || p.Session.ID == "" || at.IsZero() || s.now().Sub(at) > maxAge {
		return core.ErrReauthRequired
	}
	return nil
}

// authTimeAttr is the session attribute that carries an inherited
// authentication time (RFC 3339, UTC).
const authTimeAttr = "auth_time"

// AuthTime is when the owner last proved themselves for sess: its sign-in
// (a refresh keeps the session and so its time), or, for a session minted
// from another (an external token), that other session's.
func AuthTime(sess Session) time.Time {
	if v, ok := sess.Attrs[authTimeAttr]; ok {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{} // unreadable: never fresh
		}
		return t
	}
	return sess.CreatedAt
}

// mintedMail is the data of the notice of a new API key or external token:
// data, the account, when, and from where the request came.
func mintedMail(ctx context.Context, u User, at time.Time, data map[string]string) map[string]string {
	data["email"], data["name"] = u.Email, u.Name
	data["time"] = at.UTC().Format(time.RFC1123)
	if ip := core.CallerOf(ctx).IP; ip != "" {
		data["ip"] = ip
	}
	return data
}
