package identity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// RefreshOptions says whose refresh tokens a door accepts and what the new
// access token carries.
type RefreshOptions struct {
	// Doors lists the doors whose sessions refresh here. A token of another
	// door's session is refused as unknown (ErrInvalidToken), and nothing
	// changes: it stays unspent for its own door.
	Doors    []string
	ClientID string // when set, the session must belong to this client
	// AccessTTL is the lifetime of the new access token; zero: Policy.AccessTTL.
	AccessTTL time.Duration
	Extra     func(User, Session) map[string]any
}

// admits reports whether a session's refresh token may be presented here:
// the door and client that opened the session, and a complete sign-in. A
// pending session (a bank chain not finished) never refreshes: its step
// token already lives as long as the step, and a refresh must not be a
// way to carry a half-finished sign-in anywhere else.
func (o RefreshOptions) admits(s Session) bool {
	return slices.Contains(o.Doors, s.Door) && (o.ClientID == "" || s.ClientID == o.ClientID) && !s.Pending
}

// Refresh spends a refresh token and returns the next pair of its session.
// Refresh tokens are single use, and refresh is idempotent within
// Policy.RefreshGrace after the latest answer to the first use (its
// request deadline, retryWindow): the first use issues the successor and keeps it
// sealed beside the spent token; a later presentation of the spent token
// within the grace, while that successor is unused (a concurrent request,
// or a retry after a lost answer), gets the same successor with a freshly
// signed access token. Presentations of a spent token wait for each other on
// its row, so all of them see the one successor. Any other presentation of
// a spent token (after the grace, or once the successor has been used) is
// reuse: the whole session (the family) is revoked, audited, and the
// answer is ErrTokenReused.
//
// The first use of a token — nearly every refresh — takes one read and one
// write and holds no transaction between them (spendFirst); everything
// else, and a first use that lost its race, is judged under the token's
// row lock (rotate).
func (s *Service) Refresh(ctx context.Context, refresh string, opt RefreshOptions) (p TokenPair, err error) {
	defer core.Op(&err, "Refresh")
	if refresh == "" || len(refresh) > 256 {
		return TokenPair{}, core.ErrInvalidToken
	}
	now := s.now()
	hash := core.HashSecret(refresh)
	r, err := s.spendFirst(ctx, hash, now, opt)
	if errors.Is(err, errSpent) {
		err = s.store.Tx(ctx, func(tx Store) error {
			var err error
			r, err = s.rotate(ctx, tx, hash, now, opt)
			return err
		})
	}
	if err != nil {
		return TokenPair{}, err
	}
	if r.reused { // the revocation committed; the caller is refused
		return TokenPair{}, core.ErrTokenReused
	}
	return s.sign(ctx, r.user, r.sess, r.next, opt.AccessTTL, r.extra)
}

// errSpent says that a token was found spent, or was spent by another
// presentation while this one judged it: rotate must decide under the lock.
var errSpent = errors.New("refresh token spent")

// refreshed is what one presentation of a refresh token decided.
type refreshed struct {
	user   User
	sess   Session
	next   string // the successor's plaintext
	extra  map[string]any
	reused bool // the family was revoked
}

// spendFirst is the first use of a token, in two statements outside any
// transaction: one read of the token with its session and user, judged
// here, then UseRefreshToken, whose conditional write is the arbiter among
// concurrent presentations (exactly one spends; the others see ErrNotFound
// and nothing written). A token found spent, or spent by another
// presentation in between, returns errSpent for rotate to judge as a retry
// or a reuse. What it refuses, rotate would refuse alike: the token is
// unused, so no lock can change the answer.
func (s *Service) spendFirst(ctx context.Context, hash []byte, now time.Time, opt RefreshOptions) (r refreshed, err error) {
	rt, sess, user, err := s.store.RefreshTokenOwners(ctx, hash)
	if errors.Is(err, core.ErrNotFound) {
		return r, core.ErrInvalidToken
	}
	if err != nil {
		return r, err
	}
	if rt.UsedAt != nil {
		return r, errSpent
	}
	if !opt.accepts(rt, sess, now) {
		return r, core.ErrInvalidToken
	}
	if err := signable(sess, user, now); err != nil {
		return r, err
	}
	r.user, r.sess = user, sess
	if opt.Extra != nil {
		r.extra = opt.Extra(r.user, r.sess)
	}
	r.next, err = s.spend(ctx, s.store, rt, sess, now)
	if errors.Is(err, core.ErrNotFound) { // another presentation spent it first
		return refreshed{}, errSpent
	}
	return r, err
}

// rotate judges the presented token through tx, which holds its row.
func (s *Service) rotate(ctx context.Context, tx Store, hash []byte, now time.Time, opt RefreshOptions) (r refreshed, err error) {
	rt, err := tx.RefreshTokenByHash(ctx, hash)
	if errors.Is(err, core.ErrNotFound) {
		return r, core.ErrInvalidToken
	}
	if err != nil {
		return r, err
	}
	if !now.Before(rt.ExpiresAt) {
		return r, core.ErrInvalidToken
	}
	if r.sess, err = tx.SessionByID(ctx, rt.SessionID); err != nil {
		return r, err
	}
	if !opt.accepts(rt, r.sess, now) {
		return r, core.ErrInvalidToken
	}
	retry := rt.UsedAt != nil
	if retry && (rt.SealedSuccessor == nil || now.Sub(*rt.UsedAt) > s.Policy.retryWindow()) {
		r.reused = true
		return r, s.revokeReused(ctx, tx, r.sess, now)
	}
	if r.user, err = tx.UserByID(ctx, r.sess.UserID); err != nil {
		return r, err
	}
	if err := signable(r.sess, r.user, now); err != nil {
		return r, err
	}
	if opt.Extra != nil {
		r.extra = opt.Extra(r.user, r.sess)
	}
	if !retry {
		r.next, err = s.spend(ctx, tx, rt, r.sess, now)
		return r, err
	}
	if r.next, err = s.openSuccessor(rt); err != nil {
		return r, err
	}
	return r, s.Audit(ctx, tx, refreshEvent(r.sess, "successor resent"))
}

// accepts reports whether rt, of session sess, may be presented here now,
// spent or not: unexpired, and of a session this door refreshes.
func (o RefreshOptions) accepts(rt RefreshToken, sess Session, now time.Time) bool {
	return now.Before(rt.ExpiresAt) && o.admits(sess)
}

// signable is the refusal, if any, of a new pair for sess and u: a session
// ended (revoked, expired) is an invalid token, a locked account is
// refused as such.
func signable(sess Session, u User, now time.Time) error {
	if !sess.Active(now) {
		return core.ErrInvalidToken
	}
	if u.Locked() {
		return core.ErrAccountLocked
	}
	return nil
}

// refreshEvent is the audit row of a refresh of sess; action, when not
// empty, says it resent a kept successor.
func refreshEvent(sess Session, action string) AuditEvent {
	detail := map[string]string{"door": sess.Door}
	if action != "" {
		detail["action"] = action
	}
	return AuditEvent{Type: AuditTokenRefreshed, UserID: sess.UserID, Actor: UserActor(sess.UserID), Subject: sess.ID, Detail: detail}
}

// spend uses rt and returns its new successor, kept sealed beside rt for
// the grace window (not at all when the grace is off), with the audit row
// of the refresh written in the same step. ErrNotFound when rt was spent
// meanwhile.
func (s *Service) spend(ctx context.Context, st Records, rt RefreshToken, sess Session, now time.Time) (string, error) {
	next := core.NewSecret()
	var sealed []byte
	if s.Policy.RefreshGrace > 0 {
		var err error
		if sealed, err = s.Sealer.Seal([]byte(next)); err != nil {
			return "", err
		}
	}
	t := RefreshToken{Hash: core.HashSecret(next), SessionID: rt.SessionID, UserID: rt.UserID, IssuedAt: now, ExpiresAt: rt.ExpiresAt}
	e := s.auditEvent(ctx, refreshEvent(sess, ""))
	return next, st.UseRefreshToken(ctx, rt.Hash, now, &t, sealed, &e)
}

// openSuccessor unseals the successor kept beside a spent token and checks
// it against the successor's recorded hash, so that a sealed value moved
// to another row is never handed out.
func (s *Service) openSuccessor(rt RefreshToken) (string, error) {
	plain, err := s.Sealer.Open(rt.SealedSuccessor)
	if err != nil {
		return "", fmt.Errorf("open the sealed successor: %w", err)
	}
	if !bytes.Equal(core.HashSecret(string(plain)), rt.Successor) {
		return "", errors.New("the sealed successor does not match its hash")
	}
	return string(plain), nil
}

// ForgetSuccessors wipes the sealed successors whose grace window has
// passed; the server's purge runs it.
func (s *Service) ForgetSuccessors(ctx context.Context) error {
	return s.store.ForgetSuccessors(ctx, s.now().Add(-s.Policy.retryWindow()))
}

// retryWindow is how long after its use a spent token still gets its
// unused successor. A client can retry only once it has its answer, and
// the first presentation may be answered (a 503 after a commit whose reply
// was lost or held) as late as the request deadline after the use: the
// grace counts from there. Zero when the grace is off.
func (p Policy) retryWindow() time.Duration {
	if p.RefreshGrace <= 0 {
		return 0
	}
	return p.RequestTimeout + p.RefreshGrace
}
