package bank

import (
	"context"
	"slices"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The chain of steps (customer → role → factor chains → complete) is the
// bank domain's, but not only the bank door's: the hosted pages run the
// very same steps on a web session (docs/design.md "Decisions"). A Via
// names the door a chain runs through; every step (Choose, Pass, Send,
// BeginRequiredTOTP) takes one, and the bank door's methods (SelectCustomer,
// PassFactor, SendOTP) are these with ByClient. The lockout, the rate of
// sent codes, the audit rows and the trusted-device rule are the same
// code on both doors; only the session's door and client, the bank
// door's token claims and refresh-token wrapper, and the pages' RFC 8176
// methods differ.

// Via is the door a chain runs through: Door is the Session.Door of every
// step's session (Door for the bank door, identity.WebDoor for the pages)
// and Client the bank client whose sessions they are (zero for the pages,
// which have none).
type Via struct {
	Door   string
	Client Client
}

// ByClient is the bank door's Via: sessions of door "bank" of client c.
func ByClient(c Client) Via { return Via{Door: Door, Client: c} }

// Pages is the hosted pages' Via: web sessions of no client.
var Pages = Via{Door: identity.WebDoor}

// bank reports whether v is the bank door (its claims, its wrapped
// refresh tokens, its clients' grants).
func (v Via) bank() bool { return v.Door == Door }

// owns checks that a verified principal holds a session of v; anything
// else is ErrInvalidToken.
func (v Via) owns(p identity.Principal) error {
	if p.Session.Door != v.Door || p.Session.ClientID != v.Client.ID {
		return core.ErrInvalidToken
	}
	return nil
}

// allows reports whether v may use grant: a bank client as registered;
// the pages have no client and every step.
func (v Via) allows(grant string) bool { return !v.bank() || v.Client.Allows(grant, "") }

// ActionConfigureTOTP is Login.RequiredAction (the bank door's
// required_action) when the chosen role's every possible chain needs an
// authenticator the account has not enrolled: the pending login may enrol
// one (BeginRequiredTOTP) and pass TOTP with a code of it, which confirms
// the enrolment (Pass). The name is Keycloak's for the same action.
const ActionConfigureTOTP = "CONFIGURE_TOTP"

// StartChain is the first step on a door without a client (the hosted
// pages, Via Pages): it checks the login (an e-mail, or an IIN naming its
// account, as at the bank door's step 1) and password under identity's
// lockout. An account with customers gets a pending session of v whose
// role is ANONYMOUS, as after step 1; one without signs in as on the JSON
// doors (identity.Factors.AfterPassword with spec): Login.Complete, or
// *core.MFARequired when it has a second factor. Errors are
// identity.Service.Authenticate's; ErrUnauthorizedClient for the bank
// door, whose step 1 is SignIn.
func (b *Service) StartChain(ctx context.Context, v Via, username, password string, spec identity.SessionSpec, fingerprint string) (l Login, err error) {
	defer b.Identity.ObserveLogin(v.Door, &err)
	defer core.Op(&err, "bank.StartChain")
	if v.bank() {
		return Login{}, core.ErrUnauthorizedClient
	}
	login, err := b.loginOf(ctx, username)
	if err != nil {
		return Login{}, err
	}
	u, err := b.Identity.Authenticate(ctx, login, password)
	if err != nil {
		return Login{}, err
	}
	ms, err := b.store.MembershipsOfUser(ctx, u.ID)
	if err != nil {
		return Login{}, err
	}
	if len(ms) == 0 {
		pair, err := b.Factors.AfterPassword(ctx, u, spec)
		if err != nil {
			return Login{}, err
		}
		return Login{Pair: pair, User: u, Complete: true, Customers: []Customer{}}, nil
	}
	st := State{UserType: UserTypeCustomer, Username: username, Device: fingerprintHex(fingerprint), ChainType: ChainEmpty}
	pair, err := b.open(ctx, u, nil, st, true, v, spec.UserAgent, spec.IP, []string{"pwd"})
	if err != nil {
		return Login{}, err
	}
	return b.view(ctx, u, pair, fingerprint)
}

// BeginRequiredTOTP starts the enrolment of the required action
// (ActionConfigureTOTP) for a pending login of v that chose a customer:
// the step's password, checked at step 1 within Policy.StepTTL, stands
// for the password BeginTOTP asks. The enrolment is confirmed by passing
// TOTP with a code of it (Pass). ErrAuthIncomplete (the step token may not
// do this) when no customer is chosen, the chain is complete, or the role
// requires no enrolment; ErrRoleChanged as every step.
func (b *Service) BeginRequiredTOTP(ctx context.Context, v Via, p identity.Principal) (e identity.TOTPEnrolment, err error) {
	defer core.Op(&err, "bank.BeginRequiredTOTP")
	if err := v.owns(p); err != nil {
		return identity.TOTPEnrolment{}, err
	}
	st := StateOf(p.Session)
	if st.CustomerID == 0 || !p.Session.Pending {
		return identity.TOTPEnrolment{}, core.ErrAuthIncomplete
	}
	m, err := b.currentRole(ctx, p, st)
	if err != nil {
		return identity.TOTPEnrolment{}, err
	}
	action, _, err := b.requiredAction(ctx, p.User, m.Role)
	if err != nil {
		return identity.TOTPEnrolment{}, err
	}
	if action != ActionConfigureTOTP {
		return identity.TOTPEnrolment{}, core.ErrAuthIncomplete
	}
	if err := b.limitFactorChange(ctx, p); err != nil {
		return identity.TOTPEnrolment{}, err
	}
	return b.Factors.BeginRequiredTOTP(ctx, p.User)
}

// requiredAction names what the account must do before it can pass any of
// r's chains, and the chains it can pass once it has: ActionConfigureTOTP
// when it can pass none now, none would be passable with the SMS gateway
// that is missing (that is the operator's to fix, and step 2 says so), and
// some become passable with an authenticator; "" otherwise.
func (b *Service) requiredAction(ctx context.Context, u identity.User, r CustomerRole) (string, [][]string, error) {
	now, err := b.possibleChains(ctx, u, r.Chains)
	if err != nil || len(now) > 0 {
		return "", nil, err
	}
	if b.SMS == nil {
		withSMS, err := b.chainsOf(ctx, u, r.Chains, true, false)
		if err != nil || len(withSMS) > 0 {
			return "", nil, err
		}
	}
	after, err := b.chainsOf(ctx, u, r.Chains, b.SMS != nil, true)
	if err != nil || len(after) == 0 {
		return "", nil, err
	}
	return ActionConfigureTOTP, after, nil
}

// chainsNow are the chains a step of u under r may advance: the possible
// chains, or, under the required action, those possible once enrolled.
func (b *Service) chainsNow(ctx context.Context, u identity.User, r CustomerRole) (chains [][]string, action string, err error) {
	if chains, err = b.possibleChains(ctx, u, r.Chains); err != nil || len(chains) > 0 {
		return chains, "", err
	}
	action, after, err := b.requiredAction(ctx, u, r)
	if err != nil || action == "" {
		return chains, "", err
	}
	return after, action, nil
}

// confirmRequired passes TOTP under the required action: code must be a
// code of the enrolment BeginRequiredTOTP began, judged under the
// password's lockout like every factor code (identity.Judge); a pass
// confirms the enrolment (identity.Factors.ConfirmTOTP) and returns the
// new recovery codes. ErrWrongStep when no enrolment was begun.
func (b *Service) confirmRequired(ctx context.Context, p identity.Principal, code string) ([]string, error) {
	if err := b.limitFactorChange(ctx, p); err != nil {
		return nil, err
	}
	ok, err := b.Factors.PendingTOTPMatches(ctx, p.User, code)
	if err != nil {
		return nil, err
	}
	verdict := error(nil)
	if !ok {
		verdict = core.ErrOTPInvalid
	}
	if err := identity.Judge(ctx, b.Factors, b.store.Tx, p.User, FactorTOTP, func(Store) error { return verdict }, nil); err != nil {
		return nil, err
	}
	return b.Factors.ConfirmTOTP(ctx, p, code)
}

// amrOf is the RFC 8176 §2 method a factor adds to a web session's amr:
// "sms" for a texted code, "otp" for a mailed or authenticator code, "kba"
// for a recovery code; a trusted device adds none (a cookie is no
// method RFC 8176 names).
func amrOf(factor, code string) string {
	switch {
	case factor == FactorSMS:
		return "sms"
	case factor == FactorDevice:
		return ""
	case factor == FactorTOTP && identity.CodeFactor(code) == identity.FactorNameRecovery:
		return "kba"
	}
	return "otp"
}

// nextAMR is prev's methods with method added, and "mfa" once the chain
// is complete with a method beyond the password.
func nextAMR(prev identity.Session, method string, complete bool) []string {
	out := slices.Clone(identity.AMR(prev))
	if len(out) == 0 {
		out = []string{"pwd"}
	}
	if method != "" && !slices.Contains(out, method) {
		out = append(out, method)
	}
	if complete && len(out) > 1 && !slices.Contains(out, "mfa") {
		out = append(out, "mfa")
	}
	return out
}

// Progress is what the current step of a pending login of v shows,
// without taking a step: the customers, the chosen role's chains and
// required action, whether the device may skip (the pages draw their
// step's page from it; Login.Pair holds the session only). ErrWrongStep
// for a complete session.
func (b *Service) Progress(ctx context.Context, v Via, p identity.Principal, fingerprint string) (l Login, err error) {
	defer core.Op(&err, "bank.Progress")
	if err := v.owns(p); err != nil {
		return Login{}, err
	}
	if !p.Session.Pending {
		return Login{}, core.ErrWrongStep
	}
	if st := StateOf(p.Session); st.CustomerID != 0 {
		if _, err := b.currentRole(ctx, p, st); err != nil {
			return Login{}, err
		}
	}
	return b.view(ctx, p.User, identity.TokenPair{Session: p.Session, User: p.User}, fingerprint)
}

// NextFactors are the factors that advance one of l's possible chains,
// in chain order.
func (l Login) NextFactors() []string { return nextFactors(l.PossibleChains, l.State.Passed) }

// SentTo is where a code of factor goes for l's user, masked as Send
// answers it (OTPSent.Destination); "" for a factor that is not sent.
func (l Login) SentTo(factor string) string {
	switch factor {
	case FactorEmail:
		return mask(l.User.Email)
	case FactorSMS:
		if l.Profile.Phone != "" {
			return mask(l.Profile.Phone)
		}
	}
	return ""
}
