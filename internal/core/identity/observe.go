package identity

import "github.com/gatehouse/gatehouse/internal/core"

// ObserveLogin tells s.Logins the outcome of a sign-in on door (an
// operator's counts, core.LoginObserver); deferred with the sign-in's
// named error by every door's sign-in: Factors.SignIn and CompleteSignIn
// here, the bank's step 1 in its domain.
func (s *Service) ObserveLogin(door string, err *error) {
	if s.Logins != nil {
		s.Logins.Login(door, core.LoginOutcome(*err))
	}
}
