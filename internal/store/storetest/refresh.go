package storetest

import (
	"bytes"
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
		noErr(t, "UseRefreshToken", st.UseRefreshToken(ctx, hash("first"), at(time.Minute), successor(s, "second"), []byte("sealed second")))
		want := rt
		want.UsedAt, want.Successor, want.SealedSuccessor = ptr(at(time.Minute)), hash("second"), []byte("sealed second")
		same(t, "the spent token", refreshOf(t, st, "first"), want)
		next := *successor(s, "second")
		next.Parent = hash("first")
		same(t, "its successor", refreshOf(t, st, "second"), next)

		err := st.UseRefreshToken(ctx, hash("first"), at(2*time.Minute), successor(s, "sibling"), []byte("sealed sibling"))
		wantErr(t, "UseRefreshToken again", err, core.ErrNotFound)
		same(t, "the spent token after a second use", refreshOf(t, st, "first"), want)
		_, err = st.RefreshTokenByHash(ctx, hash("sibling"))
		wantErr(t, "the second use's successor", err, core.ErrNotFound)
	}},
	{"Using a successor wipes the sealed copy kept beside its parent", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		newRefresh(t, st, s, "a", at(time.Hour))
		noErr(t, "use a", st.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b")))
		noErr(t, "use b", st.UseRefreshToken(ctx, hash("b"), at(2*time.Minute), successor(s, "c"), []byte("sealed c")))
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
		noErr(t, "UseRefreshToken", st.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), nil))
		if a := refreshOf(t, st, "a"); a.SealedSuccessor != nil || !bytes.Equal(a.Successor, hash("b")) {
			t.Fatalf("a: successor %x sealed %q", a.Successor, a.SealedSuccessor)
		}
	}},
	{"UseRefreshToken of an unknown hash returns ErrNotFound and inserts nothing", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		err := st.UseRefreshToken(ctx, hash("never issued"), t0, successor(s, "next"), []byte("x"))
		wantErr(t, "UseRefreshToken", err, core.ErrNotFound)
		_, err = st.RefreshTokenByHash(ctx, hash("next"))
		wantErr(t, "the successor", err, core.ErrNotFound)
	}},
	{"A use rolled back with its transaction leaves the token unused", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		s := newSession(t, st, u.ID)
		rt := newRefresh(t, st, s, "a", at(time.Hour))
		err := st.Tx(ctx, func(tx sqlstore.Backend) error {
			if err := tx.UseRefreshToken(ctx, hash("a"), at(time.Minute), successor(s, "b"), []byte("sealed b")); err != nil {
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
		noErr(t, "use old", st.UseRefreshToken(ctx, hash("old"), at(time.Minute), successor(s, "old-next"), []byte("sealed old-next")))
		noErr(t, "use recent", st.UseRefreshToken(ctx, hash("recent"), at(10*time.Minute), successor(s, "recent-next"), []byte("sealed recent-next")))
		noErr(t, "ForgetSuccessors", st.ForgetSuccessors(ctx, at(5*time.Minute)))
		if old := refreshOf(t, st, "old"); old.SealedSuccessor != nil || !bytes.Equal(old.Successor, hash("old-next")) {
			t.Fatalf("old: successor %x sealed %q, want the hash kept and nothing sealed", old.Successor, old.SealedSuccessor)
		}
		if recent := refreshOf(t, st, "recent"); string(recent.SealedSuccessor) != "sealed recent-next" {
			t.Fatalf("recent: sealed %q, want it kept", recent.SealedSuccessor)
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
			return tx.UseRefreshToken(ctx, hash("secret"), at(time.Minute), successor(s, next), []byte("sealed "+next))
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
