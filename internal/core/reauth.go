package core

import "context"

// Reauthenticate checks the current password a signed-in user u re-enters
// (enrolling or removing a second factor). It is the login's check
// (lockout.go): during a backoff of u's login from the caller's IP it
// answers ErrTooManyAttempts before any hashing; a wrong password counts
// toward the same counters as a failed login and answers
// ErrInvalidCredentials; during an account lock only the right password
// from a network the user has signed in from passes. ErrOverloaded when
// the hashing pool is full.
func (s *Service) Reauthenticate(ctx context.Context, u User, password string) (err error) {
	defer Op(&err, "Reauthenticate")
	if err := s.HashCapacity(); err != nil {
		return err
	}
	g, err := s.readGate(ctx, u.Email, CallerOf(ctx).IP)
	if err != nil {
		return err
	}
	if wait := g.pairWait(s.now()); wait > 0 { // refused before any hashing
		return s.throttled(ctx, u.Email, u, wait, "password re-entry during backoff")
	}
	ok := false
	if password != "" && len(password) <= 1024 {
		if ok, _, err = s.Hasher.Verify(ctx, u.PasswordHash, password); err != nil {
			return err
		}
	}
	return s.judgeAttempt(ctx, u.Email, u, ok, g)
}
