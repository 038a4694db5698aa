package bank

import (
	"context"
	"errors"
	"slices"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// view gathers what a step's answer shows about the login behind pair.
func (b *Service) view(ctx context.Context, u identity.User, pair identity.TokenPair, fingerprint string) (Login, error) {
	st := StateOf(pair.Session)
	l := Login{
		Pair: pair, User: u, State: st, Complete: !pair.Session.Pending,
		Customers: []Customer{}, PossibleChains: [][]string{}, OTPStrategy: "UNDEFINED",
		Created: pair.AccessExpiry.Add(-pair.ExpiresIn),
	}
	var err error
	if l.Profile, err = b.store.BankProfileOf(ctx, u.ID); err != nil && !errors.Is(err, core.ErrNotFound) {
		return Login{}, err
	}
	ms, err := b.store.MembershipsOfUser(ctx, u.ID)
	if err != nil {
		return Login{}, err
	}
	for i, m := range ms {
		l.Customers = append(l.Customers, m.Customer)
		if m.CustomerID == st.CustomerID {
			l.Membership = &ms[i]
		}
	}
	if l.Membership != nil {
		if err := b.applyAccountFactors(ctx, u, l.Membership); err != nil {
			return Login{}, err
		}
	}
	if l.DeviceTrusted, err = b.deviceTrusted(ctx, u.ID, fingerprint); err != nil {
		return Login{}, err
	}
	l.SuggestAddDevice = l.Complete && fingerprint != "" && !l.DeviceTrusted
	if l.Membership == nil || l.Complete {
		return l, nil
	}
	role := l.Membership.Role
	l.CanSkip = l.DeviceTrusted && role.DeviceSkip
	if l.PossibleChains, l.RequiredAction, err = b.chainsNow(ctx, u, role); err != nil {
		return Login{}, err
	}
	if next := nextFactors(l.PossibleChains, st.Passed); len(next) > 0 {
		l.OTPStrategy = otpStrategy(next[0])
	}
	return l, nil
}

// otpStrategy names how the next code reaches the user: SMS, EMAIL or
// TOTP (an authenticator app); UNDEFINED when no factor is due.
func otpStrategy(factor string) string {
	switch factor {
	case FactorSMS:
		return "SMS"
	case FactorEmail:
		return "EMAIL"
	case FactorTOTP:
		return "TOTP"
	}
	return "UNDEFINED"
}

// RolesAuthFactors is the published API's roles_auth_factors: one item per chain
// of the chosen role's policy, naming the role.
func (l Login) RolesAuthFactors() [][]string {
	if l.Membership == nil {
		return [][]string{}
	}
	return slices.Clone(l.Membership.Role.Chains)
}
