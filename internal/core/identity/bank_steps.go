package identity

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// bankSession checks that a verified principal holds a bank session of
// the client; anything else is ErrInvalidToken.
func bankSession(p Principal, c Client) error {
	if p.Session.Door != BankDoor || p.Session.ClientID != c.ID {
		return core.ErrInvalidToken
	}
	return nil
}

// SelectCustomer is step 2 (grant_type=customer): the user picks one of
// their customers; the role of that membership and its policy decide the
// factor chains still to pass. It may also switch customers later, which
// starts the chain again under the new role. ErrNoSuchCustomer when the
// user is not a member.
func (b *Bank) SelectCustomer(ctx context.Context, p Principal, c Client, customerID int64, fingerprint string) (l BankLogin, err error) {
	defer core.Op(&err, "Bank.SelectCustomer")
	if err := bankSession(p, c); err != nil {
		return BankLogin{}, err
	}
	if !c.Allows(GrantCustomer, "") {
		return BankLogin{}, core.ErrUnauthorizedClient
	}
	m, err := b.st().MembershipOf(ctx, p.User.ID, customerID)
	if errors.Is(err, core.ErrNotFound) {
		return BankLogin{}, core.ErrNoSuchCustomer
	}
	if err != nil {
		return BankLogin{}, err
	}
	complete := len(m.Role.Chains) == 0 // a role that demands no factor
	if !complete {
		if err := b.checkPassable(ctx, p.User, m.Role, fingerprint); err != nil {
			return BankLogin{}, err
		}
	}
	st := BankStateOf(p.Session)
	st.CustomerID, st.MembershipID = m.CustomerID, m.ID
	st.RoleID, st.RoleCode, st.RoleVersion = m.Role.ID, m.Role.Code, m.Role.Version
	st.Passed, st.ChainType = nil, ChainEmpty
	ev := AuditEvent{Type: AuditCustomerChosen, UserID: p.User.ID, Actor: UserActor(p.User.ID), Subject: p.User.Email,
		Detail: map[string]string{"customer_id": strconv.FormatInt(m.CustomerID, 10), "role": m.Role.Code, "client_id": c.ID}}
	pair, err := b.open(ctx, p.User, &p.Session, st, !complete, c, "", "", ev)
	if err != nil {
		return BankLogin{}, err
	}
	return b.view(ctx, p.User, pair, fingerprint)
}

// PassFactor is step 3 (grant_type=otp): it checks one factor of a
// possible chain (a sent code, a TOTP or recovery code, or DEVICE for a
// trusted device when the role allows skipping) and opens the next
// session, complete once every factor of some chain is passed.
func (b *Bank) PassFactor(ctx context.Context, p Principal, c Client, factor, code, fingerprint string) (l BankLogin, err error) {
	defer core.Op(&err, "Bank.PassFactor")
	if err := bankSession(p, c); err != nil {
		return BankLogin{}, err
	}
	if !c.Allows(GrantOTP, "") {
		return BankLogin{}, core.ErrUnauthorizedClient
	}
	st := BankStateOf(p.Session)
	if st.CustomerID == 0 || !p.Session.Pending {
		return BankLogin{}, core.ErrWrongStep
	}
	m, err := b.currentRole(ctx, p, st)
	if err != nil {
		return BankLogin{}, err
	}
	factor = strings.ToUpper(strings.TrimSpace(factor))
	if factor == FactorDevice {
		if err := b.checkSkip(ctx, p.User, m.Role, fingerprint); err != nil {
			return BankLogin{}, err
		}
		st.Passed, st.ChainType = []string{FactorDevice}, FactorDevice
		ev := AuditEvent{Type: AuditFactorPassed, UserID: p.User.ID, Actor: UserActor(p.User.ID), Subject: p.User.Email,
			Detail: map[string]string{"factor": FactorDevice}}
		pair, err := b.open(ctx, p.User, &p.Session, st, false, c, "", "", ev)
		if err != nil {
			return BankLogin{}, err
		}
		return b.view(ctx, p.User, pair, fingerprint)
	}
	chains, err := b.possibleChains(ctx, p.User, m.Role.Chains)
	if err != nil {
		return BankLogin{}, err
	}
	next := nextFactors(chains, st.Passed)
	if factor == "" && len(next) == 1 {
		factor = next[0]
	}
	if !slices.Contains(next, factor) {
		return BankLogin{}, b.notAllowed(factor)
	}
	if err := b.judgeFactor(ctx, p, factor, code); err != nil {
		return BankLogin{}, err
	}
	st.Passed = append(st.Passed, factor)
	done, complete := completedChain(chains, st.Passed)
	if complete {
		st.ChainType = strings.Join(done, "+")
	}
	pair, err := b.open(ctx, p.User, &p.Session, st, !complete, c, "", "")
	if err != nil {
		return BankLogin{}, err
	}
	return b.view(ctx, p.User, pair, fingerprint)
}

// currentRole reloads the membership and refuses (revoking the session)
// when the role changed since the customer was chosen: the policy the
// chain was started under no longer holds.
func (b *Bank) currentRole(ctx context.Context, p Principal, st BankState) (Membership, error) {
	m, err := b.st().MembershipOf(ctx, p.User.ID, st.CustomerID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return Membership{}, err
	}
	if err != nil || m.Role.ID != st.RoleID || m.Role.Version != st.RoleVersion {
		_ = b.st().RevokeSession(ctx, p.Session.ID, b.now())
		return Membership{}, core.ErrRoleChanged
	}
	return m, nil
}

// checkSkip admits a trusted device in place of the chain.
func (b *Bank) checkSkip(ctx context.Context, u User, r CustomerRole, fingerprint string) error {
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
// gateway, a TOTP chain for an enrolment), unless a trusted device may
// skip them. A pending login with no way forward would only expire.
func (b *Bank) checkPassable(ctx context.Context, u User, r CustomerRole, fingerprint string) error {
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
		withSMS, err := b.chainsOf(ctx, u, r.Chains, true)
		if err != nil {
			return err
		}
		if len(withSMS) > 0 {
			return core.ErrNoPossibleChainSMS
		}
	}
	return core.ErrNoPossibleChain
}

// notAllowed is the refusal of a factor that no possible chain offers,
// telling an operator when the cause is the missing SMS gateway.
func (b *Bank) notAllowed(factor string) error {
	if factor == FactorSMS && b.SMS == nil {
		return core.ErrSMSUnavailable
	}
	return core.ErrFactorNotAllowed
}

// possibleChains filters a role's chains to those the user can pass: an
// SMS needs a gateway and a phone, TOTP an enrolled authenticator.
func (b *Bank) possibleChains(ctx context.Context, u User, chains [][]string) ([][]string, error) {
	return b.chainsOf(ctx, u, chains, b.SMS != nil)
}

// chainsOf is possibleChains as if an SMS gateway were configured or not.
func (b *Bank) chainsOf(ctx context.Context, u User, chains [][]string, smsOn bool) ([][]string, error) {
	prof, err := b.st().BankProfileOf(ctx, u.ID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	t, err := b.st().TOTPOf(ctx, u.ID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	can := func(f string) bool {
		switch f {
		case FactorSMS:
			return smsOn && prof.Phone != ""
		case FactorEmail:
			return u.Email != ""
		case FactorTOTP:
			return t.ConfirmedAt != nil
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

func (b *Bank) deviceTrusted(ctx context.Context, userID int64, fingerprint string) (bool, error) {
	if fingerprint == "" {
		return false, nil
	}
	d, err := b.st().DeviceByFingerprint(ctx, userID, FingerprintHash(fingerprint))
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil && bytes.Equal(d.FingerprintHash, FingerprintHash(fingerprint)), err
}

// Refresh spends a bank refresh token of the client (rotation and reuse
// detection as every door) and answers the session's state again. A
// session whose role changed since is revoked: ErrRoleChanged.
func (b *Bank) Refresh(ctx context.Context, c Client, refresh, fingerprint string) (l BankLogin, err error) {
	defer core.Op(&err, "Bank.Refresh")
	if !c.Allows(GrantRefreshToken, "") {
		return BankLogin{}, core.ErrUnauthorizedClient
	}
	pair, err := b.Core.Refresh(ctx, refresh, RefreshOptions{Doors: []string{BankDoor}, ClientID: c.ID,
		AccessTTL: cmpOr(c.AccessTTL, b.Core.Policy.AccessTTL),
		Extra:     func(_ User, s Session) map[string]any { return BankClaims(BankStateOf(s), !s.Pending) }})
	if err != nil {
		return BankLogin{}, err
	}
	u, err := b.st().UserByID(ctx, pair.Session.UserID)
	if err != nil {
		return BankLogin{}, err
	}
	if st := BankStateOf(pair.Session); st.CustomerID != 0 {
		if _, err := b.currentRole(ctx, Principal{User: u, Session: pair.Session}, st); err != nil {
			return BankLogin{}, err
		}
	}
	return b.view(ctx, u, pair, fingerprint)
}
