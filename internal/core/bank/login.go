package bank

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// LoginRequest is step 1 after the door decrypted the credentials.
// A door that could not decrypt them, or saw a replayed ciphertext, passes
// an empty Username: the login then fails exactly like a wrong password,
// after the same password-hash work.
type LoginRequest struct {
	Client      Client
	UserType    string
	Username    string // e-mail or IIN
	Password    string
	Fingerprint string // Device-Fingerprint header, "" when absent
	UserAgent   string
	IP          string
}

// Login is what every step answers: the new token pair and everything
// the published API's answer shows about the login's progress.
type Login struct {
	Pair             identity.TokenPair
	User             identity.User
	Profile          Profile
	State            State
	Complete         bool
	Customers        []Customer  // every customer the user belongs to
	Membership       *Membership // the chosen customer, after step 2
	PossibleChains   [][]string  // the role's chains this user can pass, while incomplete
	DeviceTrusted    bool
	CanSkip          bool // a trusted device may stand in for the chain (grant otp, factor DEVICE)
	SuggestAddDevice bool // complete, with a fingerprint not yet trusted
	OTPStrategy      string
	// RequiredAction is ActionConfigureTOTP when the chosen role's chains
	// all need an authenticator the account lacks (PossibleChains are
	// then those it can pass once enrolled); "" otherwise.
	RequiredAction string
	// RecoveryCodes are the new recovery codes of the authenticator the
	// required action enrolled, on the answer of the step that confirmed it
	// only (shown once).
	RecoveryCodes []string
	Created       time.Time // when the access token was issued
}

// PasswordGrant is step 1 (grant_type=password) as the door read it off
// the wire: the client it names and how, and the credentials, still
// encrypted under the credential key.
type PasswordGrant struct {
	Client      ClientAuth
	UserType    string
	Username    string // encrypted (base64), e-mail or IIN inside
	Password    string // encrypted (base64)
	Fingerprint string // Device-Fingerprint header, "" when absent
	UserAgent   string
	IP          string
}

// SignIn is step 1, whole: it limits the client's requests before any
// work is spent on them, authenticates the client, refuses a sign-in the
// password hasher would turn away before the two RSA decryptions (and
// before its ciphertext is remembered, so the same request may come
// again), decrypts the credentials and remembers the password's
// ciphertext against replay, limits the tries per username, and then
// signs in (Login). A credential that does not decrypt, or a replayed
// one, goes on as a login with an empty username: it costs the same
// password hash and fails with the same ErrInvalidCredentials, so the
// answer is no padding oracle and no timing signal.
func (b *Service) SignIn(ctx context.Context, g PasswordGrant) (l Login, err error) {
	ctx = core.WithClient(ctx, g.Client.Named)
	if err := b.Limit.Check(ctx, core.EndpointBankLogin, ""); err != nil { // before the decryption's CPU
		return Login{}, err
	}
	c, err := b.AuthenticateClient(ctx, g.Client)
	if err != nil {
		return Login{}, err
	}
	if g.UserType == "" {
		return Login{}, errInvalidRequest("user_type is required")
	}
	if g.Username == "" || g.Password == "" {
		return Login{}, errInvalidRequest("username and password are required")
	}
	if err := b.Identity.HashCapacity(); err != nil {
		return Login{}, err
	}
	username, password, ok := b.decryptCredentials(ctx, g.Username, g.Password)
	if !ok {
		username = ""
	}
	if err := b.Limit.Check(ctx, core.EndpointBankUser, identity.LookupKey(username)); err != nil {
		return Login{}, err
	}
	return b.Login(ctx, LoginRequest{Client: c, UserType: g.UserType, Username: username, Password: password,
		Fingerprint: g.Fingerprint, UserAgent: g.UserAgent, IP: g.IP})
}

// errInvalidRequest is RFC 6749 §5.2's invalid_request: a parameter
// missing or malformed.
func errInvalidRequest(msg string) *core.Error {
	return &core.Error{Kind: core.KindInvalid, Code: "invalid_request", Message: msg}
}

// Login is step 1 (grant_type=password) once the credentials are
// decrypted: it checks the password and opens an incomplete session whose
// role is ANONYMOUS, listing the customers the user may act for. Every
// failure that depends on the credentials is ErrInvalidCredentials.
func (b *Service) Login(ctx context.Context, req LoginRequest) (l Login, err error) {
	defer b.Identity.ObserveLogin(Door, &err)
	defer core.Op(&err, "bank.Login")
	if req.UserType != UserTypeCustomer || !req.Client.Allows(GrantPassword, req.UserType) {
		return Login{}, core.ErrUnauthorizedClient
	}
	login, err := b.loginOf(ctx, req.Username)
	if err != nil {
		return Login{}, err
	}
	u, err := b.Identity.Authenticate(ctx, login, req.Password)
	if err != nil {
		return Login{}, err
	}
	if err := b.checkProfile(ctx, u); err != nil {
		return Login{}, err
	}
	st := State{UserType: req.UserType, Username: req.Username, Device: fingerprintHex(req.Fingerprint), ChainType: ChainEmpty}
	pair, err := b.open(ctx, u, nil, st, true, ByClient(req.Client), req.UserAgent, req.IP, nil)
	if err != nil {
		return Login{}, err
	}
	return b.view(ctx, u, pair, req.Fingerprint)
}

// checkProfile enforces Policy.RequireProfile: an account without a bank
// profile is refused as a wrong password would be (the answer tells no
// stranger which accounts exist) and audited as not_a_bank_user, without
// counting toward the lockout (the password was right). With the policy
// off every account passes: the one-core promise, one account at every
// door; such an account lists no customers and can choose none.
func (b *Service) checkProfile(ctx context.Context, u identity.User) error {
	if !b.Policy.RequireProfile {
		return nil
	}
	_, err := b.store.BankProfileOf(ctx, u.ID)
	if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	e := identity.AuditEvent{Type: identity.AuditLoginFailed, Outcome: identity.AuditFailed, UserID: u.ID, Subject: u.Email,
		Detail: map[string]string{"door": Door, "reason": "not_a_bank_user"}}
	if err := b.Identity.Audit(ctx, b.store, e); err != nil {
		return err
	}
	return core.ErrInvalidCredentials
}

// loginOf is the login the account of username is checked under: the
// e-mail of the account whose IIN it is, or username as typed. An unknown
// IIN is an unknown login (the same dummy-hash work) whose failures are
// counted under the IIN itself, so that the lockout answers known and
// unknown IINs alike.
func (b *Service) loginOf(ctx context.Context, username string) (string, error) {
	if !ValidIIN(username) {
		return username, nil
	}
	p, err := b.store.BankProfileByIIN(ctx, username)
	if errors.Is(err, core.ErrNotFound) {
		return username, nil
	}
	if err != nil {
		return "", err
	}
	if u, err := b.Identity.User(ctx, p.UserID); err == nil {
		return u.Email, nil
	}
	return username, nil
}

// open starts the session of the next step of v through identity's one
// place that opens sessions: in one transaction it revokes prev (the step
// before; one no longer active means a concurrent or replayed step,
// answered ErrInvalidToken) and writes the step's audit rows ev, or, for
// step 1, the sign-in's. Incomplete sessions live Policy.StepTTL;
// complete ones the client's refresh TTL (the pages': identity's). The
// bank door's sessions carry its claims and wrapped refresh tokens; the
// pages' the RFC 8176 methods amr (identity.AMR), which the bank door's
// never record.
func (b *Service) open(ctx context.Context, u identity.User, prev *identity.Session, st State, pending bool, v Via, ua, ip string, amr []string, ev ...identity.AuditEvent) (identity.TokenPair, error) {
	c := v.Client
	life := cmpOr(c.RefreshTTL, b.Identity.Policy.RefreshTTL)
	access := cmpOr(c.AccessTTL, b.Identity.Policy.AccessTTL)
	if pending {
		life = b.Policy.StepTTL
		access = min(access, life)
	}
	spec := identity.SessionSpec{
		Door: v.Door, ClientID: c.ID, Pending: pending, Attrs: st.attrs(), UserAgent: ua, IP: ip,
		Life: life, AccessTTL: access, Parent: prev, Events: ev,
	}
	if !v.bank() {
		spec.AMR = amr
		return b.Identity.StartSession(ctx, u, spec)
	}
	spec.Extra = Claims(st, !pending)
	pair, err := b.Identity.StartSession(ctx, u, spec)
	if err != nil {
		return identity.TokenPair{}, err
	}
	return b.wrap(pair)
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Claims are the door-specific claims of a bank access token. scope is
// ALL from step 1 on (the published API); completion is chain_complete (and the
// core's pending claim while incomplete).
func Claims(st State, complete bool) map[string]any {
	c := map[string]any{
		"door": Door, "scope": "ALL", "user_type": st.UserType, "role": st.Role(),
		"chain_type": st.ChainType, "chain_complete": complete,
	}
	if st.CustomerID != 0 {
		c["customer_id"] = st.CustomerID
		c["role_version"] = st.RoleVersion
	}
	return c
}
