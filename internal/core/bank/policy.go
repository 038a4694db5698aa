package bank

import (
	"context"
	"slices"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// An enrolled factor belongs to the account (SECURITY.md "Second
// factors"): an account with one never completes a sign-in with the
// password alone, on any door. A role's policy may ask for no factor (no
// chains, complete at step 2); for such an account a chain without a
// factor becomes TOTP (a recovery code passes it, as in every TOTP chain).
// The rule applies where a membership is read for a login, so that
// possible_chains, roles_auth_factors and completion all see one policy.

// membershipOf reads u's membership of customerID with its role's policy
// as it applies to u (ErrNotFound when u is no member).
func (b *Service) membershipOf(ctx context.Context, u identity.User, customerID int64) (Membership, error) {
	m, err := b.store.MembershipOf(ctx, u.ID, customerID)
	if err != nil {
		return Membership{}, err
	}
	return m, b.applyAccountFactors(ctx, u, &m)
}

// applyAccountFactors rewrites m's chains for u: unchanged for an account
// without a confirmed authenticator.
func (b *Service) applyAccountFactors(ctx context.Context, u identity.User, m *Membership) error {
	enrolled, err := b.Factors.TOTPConfirmed(ctx, u.ID)
	if err != nil {
		return err
	}
	m.Role.Chains = accountChains(m.Role.Chains, enrolled)
	return nil
}

// accountChains is a role's chains for an account with (enrolled) or
// without a second factor: for one with, no chain may be empty, and no
// chains at all means one chain of TOTP.
func accountChains(chains [][]string, enrolled bool) [][]string {
	if !enrolled {
		return chains
	}
	out := [][]string{}
	for _, ch := range chains {
		if len(ch) == 0 {
			ch = []string{FactorTOTP}
		}
		if !slices.ContainsFunc(out, func(o []string) bool { return slices.Equal(o, ch) }) {
			out = append(out, ch)
		}
	}
	if len(out) == 0 {
		out = append(out, []string{FactorTOTP})
	}
	return out
}
