package bank

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// SelectCustomer is step 2 (grant_type=customer) of the bank door: Choose
// through ByClient(c).
func (b *Service) SelectCustomer(ctx context.Context, p identity.Principal, c Client, customerID int64, fingerprint string) (Login, error) {
	return b.Choose(ctx, ByClient(c), p, customerID, fingerprint)
}

// Choose is step 2 on v: the user picks one of their customers; the role
// of that membership and its policy decide the factor chains still to
// pass. It may also switch customers later, which starts the chain again
// under the new role. ErrNoSuchCustomer when the user is not a member;
// ErrNoPossibleChain (ErrNoPossibleChainSMS) when no chain can be passed
// here, no trusted device may skip them and no enrolment would help
// (Login.RequiredAction names one that would).
func (b *Service) Choose(ctx context.Context, v Via, p identity.Principal, customerID int64, fingerprint string) (l Login, err error) {
	defer core.Op(&err, "bank.SelectCustomer")
	if err := v.owns(p); err != nil {
		return Login{}, err
	}
	if !v.allows(GrantCustomer) {
		return Login{}, core.ErrUnauthorizedClient
	}
	m, err := b.membershipOf(ctx, p.User, customerID)
	if errors.Is(err, core.ErrNotFound) {
		return Login{}, core.ErrNoSuchCustomer
	}
	if err != nil {
		return Login{}, err
	}
	complete := len(m.Role.Chains) == 0 // a role that demands no factor, of an account without one
	if !complete {
		if err := b.checkPassable(ctx, p.User, m.Role, fingerprint); err != nil {
			return Login{}, err
		}
	}
	st := StateOf(p.Session)
	st.CustomerID, st.MembershipID = m.CustomerID, m.ID
	st.RoleID, st.RoleCode, st.RoleVersion = m.Role.ID, m.Role.Code, m.Role.Version
	st.Passed, st.ChainType = nil, ChainEmpty
	ev := identity.AuditEvent{Type: identity.AuditCustomerChosen, UserID: p.User.ID, Actor: identity.UserActor(p.User.ID), Subject: p.User.Email,
		Detail: map[string]string{"customer_id": strconv.FormatInt(m.CustomerID, 10), "role": m.Role.Code, "client_id": v.Client.ID}}
	if !v.bank() {
		delete(ev.Detail, "client_id")
		ev.Detail["door"] = v.Door
	}
	pair, err := b.open(ctx, p.User, &p.Session, st, !complete, v, "", "", nextAMR(p.Session, "", complete), ev)
	if err != nil {
		return Login{}, err
	}
	return b.view(ctx, p.User, pair, fingerprint)
}

// PassFactor is step 3 (grant_type=otp) of the bank door: Pass through
// ByClient(c).
func (b *Service) PassFactor(ctx context.Context, p identity.Principal, c Client, factor, code, fingerprint string) (Login, error) {
	return b.Pass(ctx, ByClient(c), p, factor, code, fingerprint)
}

// Pass is step 3 on v: it checks one factor of a possible chain (a sent
// code, a TOTP or recovery code, or DEVICE for a trusted device when the
// role allows skipping) and opens the next session, complete once every
// factor of some chain is passed. Under the required action
// (ActionConfigureTOTP) a TOTP code of the enrolment begun confirms it,
// and Login.RecoveryCodes are its new recovery codes, shown once.
// ErrWrongStep before a customer is chosen or after completion;
// ErrFactorNotAllowed for a factor no possible chain offers next; the
// code's errors (ErrOTPInvalid, ErrOTPAttempts, the lockout's).
func (b *Service) Pass(ctx context.Context, v Via, p identity.Principal, factor, code, fingerprint string) (l Login, err error) {
	defer core.Op(&err, "bank.PassFactor")
	if err := v.owns(p); err != nil {
		return Login{}, err
	}
	if !v.allows(GrantOTP) {
		return Login{}, core.ErrUnauthorizedClient
	}
	st := StateOf(p.Session)
	if st.CustomerID == 0 || !p.Session.Pending {
		return Login{}, core.ErrWrongStep
	}
	m, err := b.currentRole(ctx, p, st)
	if err != nil {
		return Login{}, err
	}
	factor = strings.ToUpper(strings.TrimSpace(factor))
	if factor == FactorDevice {
		if err := b.checkSkip(ctx, p.User, m.Role, fingerprint); err != nil {
			return Login{}, err
		}
		st.Passed, st.ChainType = []string{FactorDevice}, FactorDevice
		ev := identity.AuditEvent{Type: identity.AuditFactorPassed, UserID: p.User.ID, Actor: identity.UserActor(p.User.ID), Subject: p.User.Email,
			Detail: map[string]string{"factor": FactorDevice}}
		pair, err := b.open(ctx, p.User, &p.Session, st, false, v, "", "", nextAMR(p.Session, "", true), ev)
		if err != nil {
			return Login{}, err
		}
		return b.view(ctx, p.User, pair, fingerprint)
	}
	chains, action, err := b.chainsNow(ctx, p.User, m.Role)
	if err != nil {
		return Login{}, err
	}
	next := nextFactors(chains, st.Passed)
	if factor == "" && len(next) == 1 {
		factor = next[0]
	}
	if !slices.Contains(next, factor) {
		return Login{}, b.notAllowed(factor)
	}
	var recovery []string
	if action == ActionConfigureTOTP && factor == FactorTOTP {
		if recovery, err = b.confirmRequired(ctx, p, code); err != nil {
			return Login{}, err
		}
		if chains, err = b.possibleChains(ctx, p.User, m.Role.Chains); err != nil {
			return Login{}, err
		}
	} else if err := b.judgeFactor(ctx, p, factor, code); err != nil {
		return Login{}, err
	}
	st.Passed = append(st.Passed, factor)
	done, complete := completedChain(chains, st.Passed)
	if complete {
		st.ChainType = strings.Join(done, "+")
	}
	pair, err := b.open(ctx, p.User, &p.Session, st, !complete, v, "", "", nextAMR(p.Session, amrOf(factor, code), complete))
	if err != nil {
		return Login{}, err
	}
	if l, err = b.view(ctx, p.User, pair, fingerprint); err != nil {
		return Login{}, err
	}
	l.RecoveryCodes = recovery
	return l, nil
}

// currentRole reloads the membership and refuses (revoking the session)
// when the role changed since the customer was chosen: the policy the
// chain was started under no longer holds.
func (b *Service) currentRole(ctx context.Context, p identity.Principal, st State) (Membership, error) {
	m, err := b.membershipOf(ctx, p.User, st.CustomerID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return Membership{}, err
	}
	if err != nil || m.Role.ID != st.RoleID || m.Role.Version != st.RoleVersion {
		_ = b.Identity.EndSession(ctx, p.Session.ID)
		return Membership{}, core.ErrRoleChanged
	}
	return m, nil
}

// checkSkip admits a trusted device in place of the chain.
func (b *Service) checkSkip(ctx context.Context, u identity.User, r CustomerRole, fingerprint string) error {
	if !r.DeviceSkip {
		return core.ErrFactorNotAllowed
	}
	trusted, err := b.deviceTrusted(ctx, u.ID, fingerprint)
	if err != nil {
		return err
	}
	if !trusted {
		return core.ErrDeviceUnknown
	}
	return nil
}

// checkPassable refuses a role none of whose chains the user can pass
// (the roles' policies are kept as written: an SMS chain waits for a
// gateway), unless a trusted device may skip them or an enrolment would
// make one passable (the required action, requiredAction). A pending
// login with no way forward would only expire.
func (b *Service) checkPassable(ctx context.Context, u identity.User, r CustomerRole, fingerprint string) error {
	chains, err := b.possibleChains(ctx, u, r.Chains)
	if err != nil || len(chains) > 0 {
		return err
	}
	if r.DeviceSkip {
		if trusted, err := b.deviceTrusted(ctx, u.ID, fingerprint); err != nil || trusted {
			return err
		}
	}
	if b.SMS == nil {
		withSMS, err := b.chainsOf(ctx, u, r.Chains, true, false)
		if err != nil {
			return err
		}
		if len(withSMS) > 0 {
			return core.ErrNoPossibleChainSMS
		}
	}
	if action, _, err := b.requiredAction(ctx, u, r); err != nil || action != "" {
		return err // the login goes on to the required action
	}
	return core.ErrNoPossibleChain
}

// notAllowed is the refusal of a factor that no possible chain offers,
// telling an operator when the cause is the missing SMS gateway.
func (b *Service) notAllowed(factor string) error {
	if factor == FactorSMS && b.SMS == nil {
		return core.ErrSMSUnavailable
	}
	return core.ErrFactorNotAllowed
}

// possibleChains filters a role's chains to those the user can pass: an
// SMS needs a gateway and a phone, TOTP an enrolled authenticator.
func (b *Service) possibleChains(ctx context.Context, u identity.User, chains [][]string) ([][]string, error) {
	return b.chainsOf(ctx, u, chains, b.SMS != nil, false)
}

// chainsOf is possibleChains as if an SMS gateway were configured or not
// (smsOn), and as if an authenticator were enrolled (assumeTOTP) or as it is.
func (b *Service) chainsOf(ctx context.Context, u identity.User, chains [][]string, smsOn, assumeTOTP bool) ([][]string, error) {
	prof, err := b.store.BankProfileOf(ctx, u.ID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	totp, err := b.Factors.TOTPConfirmed(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	can := func(f string) bool {
		switch f {
		case FactorSMS:
			return smsOn && prof.Phone != ""
		case FactorEmail:
			return u.Email != ""
		case FactorTOTP:
			return totp || assumeTOTP
		}
		return false
	}
	out := [][]string{}
	for _, ch := range chains {
		if !slices.ContainsFunc(ch, func(f string) bool { return !can(f) }) {
			out = append(out, ch)
		}
	}
	return out, nil
}

func (b *Service) deviceTrusted(ctx context.Context, userID int64, fingerprint string) (bool, error) {
	return b.Identity.DeviceTrusted(ctx, userID, fingerprint)
}

// Refresh spends a bank refresh token of the client (a JWT around the
// core's token, or an opaque one from before: handle; rotation and reuse
// detection as every door) and answers the session's state again, with
// the successor wrapped. A
// session whose role changed since is revoked: ErrRoleChanged.
func (b *Service) Refresh(ctx context.Context, c Client, refresh, fingerprint string) (l Login, err error) {
	defer core.Op(&err, "bank.Refresh")
	if !c.Allows(GrantRefreshToken, "") {
		return Login{}, core.ErrUnauthorizedClient
	}
	h, err := b.handle(refresh)
	if err != nil {
		return Login{}, err
	}
	pair, err := b.Identity.Refresh(ctx, h, identity.RefreshOptions{Doors: []string{Door}, ClientID: c.ID,
		AccessTTL: cmpOr(c.AccessTTL, b.Identity.Policy.AccessTTL),
		Extra:     func(_ identity.User, s identity.Session) map[string]any { return Claims(StateOf(s), !s.Pending) }})
	if err != nil {
		return Login{}, err
	}
	if pair, err = b.wrap(pair); err != nil {
		return Login{}, err
	}
	u := pair.User
	if st := StateOf(pair.Session); st.CustomerID != 0 {
		if _, err := b.currentRole(ctx, identity.Principal{User: u, Session: pair.Session}, st); err != nil {
			return Login{}, err
		}
	}
	return b.view(ctx, u, pair, fingerprint)
}
