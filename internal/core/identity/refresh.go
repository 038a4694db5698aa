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
// signed access token. Presentations of one token wait for each other on
// its row, so all of them see the one successor. Any other presentation of
// a spent token (after the grace, or once the successor has been used) is
// reuse: the whole session (the family) is revoked, audited, and the
// answer is ErrTokenReused.
func (s *Service) Refresh(ctx context.Context, refresh string, opt RefreshOptions) (p TokenPair, err error) {
	defer core.Op(&err, "Refresh")
	if refresh == "" || len(refresh) > 256 {
		return TokenPair{}, core.ErrInvalidToken
	}
	now := s.now()
	var r refreshed
	err = s.store.Tx(ctx, func(tx Store) error {
		var err error
		r, err = s.rotate(ctx, tx, core.HashSecret(refresh), now, opt)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	if r.reused { // the revocation committed; the caller is refused
		return TokenPair{}, core.ErrTokenReused
	}
	return s.sign(ctx, r.user, r.sess, r.next, opt.AccessTTL, r.extra)
}

// refreshed is what one presentation of a refresh token decided.
type refreshed struct {
	user   User
	sess   Session
	next   string // the successor's plaintext
	extra  map[string]any
	reused bool // the family was revoked
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
	if !opt.admits(r.sess) {
		return r, core.ErrInvalidToken
	}
	retry := rt.UsedAt != nil
	if retry && (rt.SealedSuccessor == nil || now.Sub(*rt.UsedAt) > s.Policy.retryWindow()) {
		r.reused = true
		return r, s.revokeReused(ctx, tx, r.sess, now)
	}
	if !r.sess.Active(now) {
		return r, core.ErrInvalidToken
	}
	if r.user, err = tx.UserByID(ctx, r.sess.UserID); err != nil {
		return r, err
	}
	if r.user.Locked() {
		return r, core.ErrAccountLocked
	}
	if opt.Extra != nil {
		r.extra = opt.Extra(r.user, r.sess)
	}
	detail := map[string]string{"door": r.sess.Door}
	if retry {
		r.next, err = s.openSuccessor(rt)
		detail["action"] = "successor resent"
	} else {
		r.next, err = s.spend(ctx, tx, rt, now)
	}
	if err != nil {
		return r, err
	}
	return r, s.Audit(ctx, tx, AuditEvent{Type: AuditTokenRefreshed, UserID: r.user.ID, Actor: UserActor(r.user.ID), Subject: r.sess.ID, Detail: detail})
}

// spend uses rt and returns its new successor, kept sealed beside rt for
// the grace window (not at all when the grace is off).
func (s *Service) spend(ctx context.Context, tx Store, rt RefreshToken, now time.Time) (string, error) {
	next := core.NewSecret()
	var sealed []byte
	if s.Policy.RefreshGrace > 0 {
		var err error
		if sealed, err = s.Sealer.Seal([]byte(next)); err != nil {
			return "", err
		}
	}
	t := RefreshToken{Hash: core.HashSecret(next), SessionID: rt.SessionID, UserID: rt.UserID, IssuedAt: now, ExpiresAt: rt.ExpiresAt}
	return next, tx.UseRefreshToken(ctx, rt.Hash, now, &t, sealed)
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
