package bank

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// CheckOTPStep is the authorisation of sending a code, which SendOTP runs
// first and a door's Idempotency-Key guard runs before a kept answer is
// replayed: a bank session of the client, at a step with a customer chosen
// and its chain not complete, under a role unchanged since (core.ErrWrongStep,
// ErrRoleChanged, ErrInvalidToken).
func (b *Service) CheckOTPStep(ctx context.Context, p identity.Principal, c Client) (err error) {
	defer core.Op(&err, "bank.CheckOTPStep")
	_, _, err = b.otpStep(ctx, ByClient(c), p)
	return err
}

// otpStep is CheckOTPStep returning the step's state and membership.
func (b *Service) otpStep(ctx context.Context, v Via, p identity.Principal) (State, Membership, error) {
	if err := v.owns(p); err != nil {
		return State{}, Membership{}, err
	}
	st := StateOf(p.Session)
	if st.CustomerID == 0 || !p.Session.Pending {
		return State{}, Membership{}, core.ErrWrongStep
	}
	m, err := b.currentRole(ctx, p, st)
	return st, m, err
}
