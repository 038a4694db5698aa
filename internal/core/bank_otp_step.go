package core

import "context"

// CheckOTPStep is the authorisation of sending a code, which SendOTP runs
// first and a door's Idempotency-Key guard runs before a kept answer is
// replayed: a bank session of the client, at a step with a customer chosen
// and its chain not complete, under a role unchanged since (ErrWrongStep,
// ErrRoleChanged, ErrInvalidToken).
func (b *Bank) CheckOTPStep(ctx context.Context, p Principal, c Client) (err error) {
	defer Op(&err, "Bank.CheckOTPStep")
	_, _, err = b.otpStep(ctx, p, c)
	return err
}

// otpStep is CheckOTPStep returning the step's state and membership.
func (b *Bank) otpStep(ctx context.Context, p Principal, c Client) (BankState, Membership, error) {
	if err := bankSession(p, c); err != nil {
		return BankState{}, Membership{}, err
	}
	st := BankStateOf(p.Session)
	if st.CustomerID == 0 || !p.Session.Pending {
		return BankState{}, Membership{}, ErrWrongStep
	}
	m, err := b.currentRole(ctx, p, st)
	return st, m, err
}
