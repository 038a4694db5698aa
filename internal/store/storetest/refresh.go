package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// successor is the token a use of secret's token issues in these tests.
func successor(s identity.Session, secret string) *identity.RefreshToken {
	return &identity.RefreshToken{Hash: hash(secret), SessionID: s.ID, UserID: s.UserID, IssuedAt: at(time.Minute), ExpiresAt: at(time.Hour)}
}

// refreshOf reads the token of secret, failing the test when it is absent.
func refreshOf(t *testing.T, st sqlstore.Backend, secret string) identity.RefreshToken {
	t.Helper()
	rt, err := st.RefreshTokenByHash(ctx, hash(secret))
	noErr(t, "RefreshTokenByHash("+secret+")", err)
	return rt
}

var refreshTests = []test{
	{"RefreshTokenByHash returns the token as inserted, or ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		rt := newRefresh(t, st, newSession(t, st, u.ID), "secret", at(time.Hour))
		same(t, "RefreshTokenByHash", refreshOf(t, st, "secret"), rt)
		_, err := st.RefreshTokenByHash(ctx, hash("never issued"))
		wantErr(t, "RefreshTokenByHash(unknown)", err, core.ErrNotFound)
	}},
	{"UseRefreshToken spends the token once and keeps its successor beside it", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		rt := newRefresh(t, st, s, "first", at(time.Hour))
		noErr(t, "UseRefreshToken", st.UseRefreshToken(ctx, hash("first"), at(time.Minute), successor(s, "second"), []byte("sealed second"), nil))
		want := rt
		want.UsedAt, want.Successor, want.SealedSuccessor = ptr(at(time.Minute)), hash("second"), []byte("sealed second")
		same(t, "the spent token", refreshOf(t, st, "first"), want)
		next := *successor(s, "second")
		next.Parent = hash("first")
		same(t, "its successor", refreshOf(t, st, "second"), next)

		err := st.UseRefreshToken(ctx, hash("first"), at(2*time.Minute), successor(s, "sibling"), []byte("sealed sibling"), nil)
		wantErr(t, "UseRefreshToken again", err, core.ErrNotFound)
		same(t, "the spent token after a second use", refreshOf(t, st, "first"), want)
		_, err = st.RefreshTokenByHash(ctx, hash("sibling"))
		wantErr(t, "the second use's successor", err, core.ErrNotFound)
	}},
	{"Using a successor wipes the sealed copy kept beside its parent", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "a", at(time.Hour))
		noErr(t, "use a", st.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b"), nil))
		noErr(t, "use b", st.UseRefreshToken(ctx, hash("b"), at(2*time.Minute), successor(s, "c"), []byte("sealed c"), nil))
		a, b := refreshOf(t, st, "a"), refreshOf(t, st, "b")
		if a.SealedSuccessor != nil || !bytes.Equal(a.Successor, hash("b")) {
			t.Fatalf("a after b was used: successor %x sealed %q, want b's hash and nothing sealed", a.Successor, a.SealedSuccessor)
		}
		if string(b.SealedSuccessor) != "sealed c" || !bytes.Equal(b.Successor, hash("c")) {
			t.Fatalf("b: successor %x sealed %q", b.Successor, b.SealedSuccessor)
		}
	}},
	{"UseRefreshToken without a sealed successor keeps none", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "a", at(time.Hour))
		noErr(t, "UseRefreshToken", st.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), nil, nil))
		if a := refreshOf(t, st, "a"); a.SealedSuccessor != nil || !bytes.Equal(a.Successor, hash("b")) {
			t.Fatalf("a: successor %x sealed %q", a.Successor, a.SealedSuccessor)
		}
	}},
	{"UseRefreshToken of an unknown hash returns ErrNotFound and inserts nothing", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		err := st.UseRefreshToken(ctx, hash("never issued"), t0, successor(s, "next"), []byte("x"), nil)
		wantErr(t, "UseRefreshToken", err, core.ErrNotFound)
		_, err = st.RefreshTokenByHash(ctx, hash("next"))
		wantErr(t, "the successor", err, core.ErrNotFound)
	}},
	{"A use rolled back with its transaction leaves the token unused", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		rt := newRefresh(t, st, s, "a", at(time.Hour))
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			if err := tx.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b"), nil); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Tx", err, errAbort)
		same(t, "the token after the rollback", refreshOf(t, st, "a"), rt)
		_, err = st.RefreshTokenByHash(ctx, hash("b"))
		wantErr(t, "the rolled-back successor", err, core.ErrNotFound)
	}},
	{"ForgetSuccessors wipes the sealed successors used before the cutoff only", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "old", at(time.Hour))
		newRefresh(t, st, s, "recent", at(time.Hour))
		noErr(t, "use old", st.UseRefreshToken(ctx, hash("old"), at(time.Minute), successor(s, "old-next"), []byte("sealed old-next"), nil))
		noErr(t, "use recent", st.UseRefreshToken(ctx, hash("recent"), at(10*time.Minute), successor(s, "recent-next"), []byte("sealed recent-next"), nil))
		noErr(t, "ForgetSuccessors", st.ForgetSuccessors(ctx, at(5*time.Minute)))
		if old := refreshOf(t, st, "old"); old.SealedSuccessor != nil || !bytes.Equal(old.Successor, hash("old-next")) {
			t.Fatalf("old: successor %x sealed %q, want the hash kept and nothing sealed", old.Successor, old.SealedSuccessor)
		}
		if recent := refreshOf(t, st, "recent"); string(recent.SealedSuccessor) != "sealed recent-next" {
			t.Fatalf("recent: sealed %q, want it kept", recent.SealedSuccessor)
		}
	}},
	{"RefreshTokenOwners reads the token with its session and its user's roles, or ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		u, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error { u.Roles = []string{"support", "admin"}; return nil })
		noErr(t, "UpdateUser", err)
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "a", at(time.Hour))
		noErr(t, "use a", st.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b"), nil))
		for _, secret := range []string{"a", "b"} { // spent and unused alike
			rt, se, owner, err := st.RefreshTokenOwners(ctx, hash(secret))
			noErr(t, "RefreshTokenOwners("+secret+")", err)
			same(t, "its token", rt, refreshOf(t, st, secret))
			wantSession, err := st.SessionByID(ctx, s.ID)
			noErr(t, "SessionByID", err)
			same(t, "its session", se, wantSession)
			same(t, "its user", owner, u)
		}
		if u.Roles == nil || len(u.Roles) != 2 {
			t.Fatalf("the user's roles: %v", u.Roles)
		}
		plain := newUser(t, st, "bob@x.test")
		newRefresh(t, st, newSession(t, st, plain.ID), "bob's", at(time.Hour))
		_, _, owner, err := st.RefreshTokenOwners(ctx, hash("bob's"))
		noErr(t, "RefreshTokenOwners of a user without roles", err)
		same(t, "the user without roles", owner, plain)
		_, _, _, err = st.RefreshTokenOwners(ctx, hash("never issued"))
		wantErr(t, "RefreshTokenOwners(unknown)", err, core.ErrNotFound)
	}},
	{"UseRefreshToken writes its audit row with the spend, and none when it spends nothing", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "a", at(time.Hour))
		e := refreshAudit(s)
		noErr(t, "UseRefreshToken", st.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b"), &e))
		if e.ID == 0 {
			t.Fatal("UseRefreshToken left the audit row's ID zero")
		}
		again := refreshAudit(s)
		err := st.UseRefreshToken(ctx, hash("a"), at(2*time.Minute), successor(s, "c"), []byte("sealed c"), &again)
		wantErr(t, "UseRefreshToken again", err, core.ErrNotFound)
		rows, total, err := st.ListAudit(ctx, identity.AuditFilter{Type: identity.AuditTokenRefreshed})
		noErr(t, "ListAudit", err)
		want := e
		want.Detail = map[string]string{"door": "platform"}
		if total != 1 {
			t.Fatalf("%d audit rows, want the one of the spend: %s", total, show(rows))
		}
		same(t, "the audit row", rows[0], want)
	}},
	{"A use and its audit row roll back with their transaction", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		rt := newRefresh(t, st, s, "a", at(time.Hour))
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			e := refreshAudit(s)
			if err := tx.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b"), &e); err != nil {
				return err
			}
			return errAbort
		})
		wantErr(t, "Tx", err, errAbort)
		same(t, "the token after the rollback", refreshOf(t, st, "a"), rt)
		if _, total, err := st.ListAudit(ctx, identity.AuditFilter{}); err != nil || total != 0 {
			t.Fatalf("audit rows after the rollback: %d, %v", total, err)
		}
	}},
	{"UseRefreshToken of a token whose session is gone returns ErrNotFound and writes nothing", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "a", at(time.Hour))
		gone := successor(s, "b")
		gone.SessionID = uuid.NewString()
		e := refreshAudit(s)
		err := st.UseRefreshToken(ctx, hash("a"), at(time.Minute), gone, nil, &e)
		wantErr(t, "UseRefreshToken", err, core.ErrNotFound)
		if a := refreshOf(t, st, "a"); a.UsedAt != nil {
			t.Fatalf("the token was spent though its successor could not be stored: %s", show(a))
		}
		if _, total, err := st.ListAudit(ctx, identity.AuditFilter{}); err != nil || total != 0 {
			t.Fatalf("audit rows: %d, %v", total, err)
		}
	}},
	{"InsertRefreshToken for a missing session returns ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		rt := identity.RefreshToken{Hash: hash("x"), SessionID: uuid.NewString(), UserID: u.ID, IssuedAt: t0, ExpiresAt: at(time.Hour)}
		wantErr(t, "InsertRefreshToken", st.InsertRefreshToken(ctx, &rt), core.ErrNotFound)
	}},
}

// raceRefresh has racers present one refresh token, each in a transaction
// as the core does: read the token (which holds it), spend it when unused,
// else take the successor the first one recorded. Without the hold, a
// racer that read the token unused loses the spend (ErrNotFound).
func raceRefresh(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	s := newSession(t, st, u.ID)
	newRefresh(t, st, s, "secret", at(time.Hour))
	var mu sync.Mutex
	var errs []error
	got, spent := map[string]int{}, 0
	race(func(i int) {
		var successorHash []byte
		var won bool
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			rt, err := tx.RefreshTokenByHash(ctx, hash("secret"))
			if err != nil {
				return err
			}
			if rt.UsedAt != nil {
				successorHash, won = rt.Successor, false
				return nil
			}
			next := fmt.Sprintf("next-%d", i)
			successorHash, won = hash(next), true
			return tx.UseRefreshToken(ctx, hash("secret"), at(time.Minute), successor(s, next), []byte("sealed "+next), nil)
		})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		got[string(successorHash)]++
		if won {
			spent++
		}
	})
	if len(errs) > 0 || spent != 1 || len(got) != 1 {
		t.Fatalf("%d spends (want 1), %d distinct successors seen (want 1), errors: %v", spent, len(got), errs)
	}
}

// refreshAudit is the audit row a refresh of s writes with its spend.
func refreshAudit(s identity.Session) identity.AuditEvent {
	return identity.AuditEvent{At: at(time.Minute), Type: identity.AuditTokenRefreshed, Outcome: identity.AuditOK, UserID: s.UserID,
		Actor: identity.UserActor(s.UserID), Subject: s.ID, IP: "192.0.2.1", UserAgent: "ua", Detail: map[string]string{"door": s.Door}}
}

// raceFirstUse has racers spend one refresh token as a refresh's first use
// does, outside any transaction: UseRefreshToken alone must let exactly
// one through, with one successor and one audit row.
func raceFirstUse(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	s := newSession(t, st, u.ID)
	newRefresh(t, st, s, "secret", at(time.Hour))
	var mu sync.Mutex
	var won []int
	var errs []error
	race(func(i int) {
		e := refreshAudit(s)
		next := fmt.Sprintf("next-%d", i)
		err := st.UseRefreshToken(ctx, hash("secret"), at(time.Minute), successor(s, next), []byte("sealed "+next), &e)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			won = append(won, i)
		case !errors.Is(err, core.ErrNotFound):
			errs = append(errs, err)
		}
	})
	if len(won) != 1 || len(errs) > 0 {
		t.Fatalf("%d racers spent the token (want 1), errors: %v", len(won), errs)
	}
	if rt := refreshOf(t, st, "secret"); !bytes.Equal(rt.Successor, hash(fmt.Sprintf("next-%d", won[0]))) {
		t.Fatalf("the spent token names another successor than the winner's")
	}
	if _, total, err := st.ListAudit(ctx, identity.AuditFilter{}); err != nil || total != 1 {
		t.Fatalf("audit rows: %d (want 1), %v", total, err)
	}
}
