package identity

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// BankLoginRequest is step 1 after the door decrypted the credentials.
// A door that could not decrypt them, or saw a replayed ciphertext, passes
// an empty Username: the login then fails exactly like a wrong password,
// after the same password-hash work.
type BankLoginRequest struct {
	Client      Client
	UserType    string
	Username    string // e-mail or IIN
	Password    string
	Fingerprint string // Device-Fingerprint header, "" when absent
	UserAgent   string
	IP          string
}

// BankLogin is what every step answers: the new token pair and everything
// the seed's answer shows about the login's progress.
type BankLogin struct {
	Pair             TokenPair
	User             User
	Profile          BankProfile
	State            BankState
	Complete         bool
	Customers        []Customer  // every customer the user belongs to
	Membership       *Membership // the chosen customer, after step 2
	PossibleChains   [][]string  // the role's chains this user can pass, while incomplete
	DeviceTrusted    bool
	CanSkip          bool // a trusted device may stand in for the chain (grant otp, factor DEVICE)
	SuggestAddDevice bool // complete, with a fingerprint not yet trusted
	OTPStrategy      string
	Created          time.Time // when the access token was issued
}

// Login is step 1 (grant_type=password): it checks the password and
// opens an incomplete session whose role is ANONYMOUS, listing the
// customers the user may act for. Every failure that depends on the
// credentials is ErrInvalidCredentials.
func (b *Bank) Login(ctx context.Context, req BankLoginRequest) (l BankLogin, err error) {
	defer core.Op(&err, "Bank.Login")
	if req.UserType != UserTypeCustomer || !req.Client.Allows(GrantPassword, req.UserType) {
		return BankLogin{}, core.ErrUnauthorizedClient
	}
	login := req.Username
	if ValidIIN(req.Username) {
		// An unknown IIN is an unknown login (the same dummy-hash work)
		// whose failures are counted under the IIN itself, so that the
		// lockout answers known and unknown IINs alike.
		p, err := b.st().BankProfileByIIN(ctx, req.Username)
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			return BankLogin{}, err
		}
		if err == nil {
			if u, err := b.st().UserByID(ctx, p.UserID); err == nil {
				login = u.Email
			}
		}
	}
	u, err := b.Core.Authenticate(ctx, login, req.Password)
	if err != nil {
		return BankLogin{}, err
	}
	if _, err := b.st().BankProfileOf(ctx, u.ID); err != nil {
		if errors.Is(err, core.ErrNotFound) { // an account, but no bank customer user: audited, not counted (the password was right)
			e := AuditEvent{Type: AuditLoginFailed, Outcome: AuditFailed, UserID: u.ID, Subject: u.Email,
				Detail: map[string]string{"door": BankDoor, "reason": "not_a_bank_user"}}
			if err := b.Core.Audit(ctx, b.st(), e); err != nil {
				return BankLogin{}, err
			}
			return BankLogin{}, core.ErrInvalidCredentials
		}
		return BankLogin{}, err
	}
	st := BankState{UserType: req.UserType, Username: req.Username, Device: fingerprintHex(req.Fingerprint), ChainType: ChainEmpty}
	pair, err := b.open(ctx, u, nil, st, true, req.Client, req.UserAgent, req.IP)
	if err != nil {
		return BankLogin{}, err
	}
	return b.view(ctx, u, pair, req.Fingerprint)
}

// open starts the session of the next step and revokes prev (the step
// before) in the same transaction; a prev that is no longer active means a
// concurrent or replayed step, answered ErrInvalidToken. Incomplete
// sessions live Policy.StepTTL; complete ones the client's refresh TTL.
// The step's audit rows go in that transaction too: step 1's sign-in
// (the core's sessionOpened: login.succeeded, new-device mail), then ev.
func (b *Bank) open(ctx context.Context, u User, prev *Session, st BankState, pending bool, c Client, ua, ip string, ev ...AuditEvent) (TokenPair, error) {
	now := b.now()
	life := cmpOr(c.RefreshTTL, b.Core.Policy.RefreshTTL)
	access := cmpOr(c.AccessTTL, b.Core.Policy.AccessTTL)
	if pending {
		life = b.Policy.StepTTL
		access = min(access, life)
	}
	attrs := st.attrs()
	if prev != nil {
		attrs["parent"] = prev.ID
		ua, ip = prev.UserAgent, prev.IP
	}
	sess := Session{
		ID: uuid.NewString(), UserID: u.ID, Door: BankDoor, ClientID: c.ID, Pending: pending, Attrs: attrs,
		UserAgent: core.DisplayText(ua, core.MaxUserAgent), IP: ip, Device: DeviceKey(ua, ip), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(life),
	}
	var refresh string
	err := b.st().Tx(ctx, func(tx Store) error {
		if err := b.stepAudit(ctx, tx, u, prev, sess, ev); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, &sess); err != nil {
			return err
		}
		var err error
		refresh, err = b.Core.newRefresh(ctx, tx, u, sess)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	_ = b.st().TouchUser(ctx, u.ID, now)
	return b.Core.sign(ctx, u, sess, refresh, access, BankClaims(st, !pending))
}

// stepAudit ends prev (refusing one already ended) and records the step:
// a sign-in for step 1, ev for the others; a completed chain clears the
// failures of the login from the session's IP, as a sign-in does.
func (b *Bank) stepAudit(ctx context.Context, tx Store, u User, prev *Session, sess Session, ev []AuditEvent) error {
	if prev == nil {
		return b.Core.sessionOpened(ctx, tx, u, sess)
	}
	now := b.now()
	_, err := tx.UpdateSession(ctx, prev.ID, func(s *Session) error {
		if !s.Active(now) {
			return core.ErrInvalidToken
		}
		s.RevokedAt = &now
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range ev {
		if err := b.Core.Audit(ctx, tx, e); err != nil {
			return err
		}
	}
	if sess.Pending {
		return nil
	}
	return b.Core.clearPair(ctx, tx, u, sess.IP)
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// BankClaims are the door-specific claims of a bank access token. scope is
// ALL from step 1 on (the seed); completion is chain_complete (and the
// core's pending claim while incomplete).
func BankClaims(st BankState, complete bool) map[string]any {
	c := map[string]any{
		"door": BankDoor, "scope": "ALL", "user_type": st.UserType, "role": st.Role(),
		"chain_type": st.ChainType, "chain_complete": complete,
	}
	if st.CustomerID != 0 {
		c["customer_id"] = st.CustomerID
		c["role_version"] = st.RoleVersion
	}
	return c
}
