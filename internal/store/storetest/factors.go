package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The account's second factors beyond the TOTP secret (identity.FactorStore):
// sign-in challenges (mfa_token) and the count of recovery codes left.

func newMFAChallenge(t *testing.T, st sqlstore.Backend, userID int64, token string, max int) identity.MFAChallenge {
	t.Helper()
	c := identity.MFAChallenge{Hash: hash(token), UserID: userID, Door: "platform", ClientID: "", Stamp: hash("stamp"),
		MaxAttempts: max, CreatedAt: t0, ExpiresAt: at(5 * time.Minute)}
	noErr(t, "InsertMFAChallenge", st.InsertMFAChallenge(ctx, &c))
	return c
}

var factorTests = []test{
	{"an MFA challenge round-trips and refuses an unknown user", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		c := newMFAChallenge(t, st, u.ID, "tok", 5)
		got, err := st.MFAChallengeByHash(ctx, hash("tok"))
		noErr(t, "MFAChallengeByHash", err)
		same(t, "challenge", got, c)
		_, err = st.MFAChallengeByHash(ctx, hash("other"))
		wantErr(t, "MFAChallengeByHash unknown", err, core.ErrNotFound)
		bad := identity.MFAChallenge{Hash: hash("x"), UserID: u.ID + 100, Door: "platform", Stamp: hash("s"), MaxAttempts: 1, CreatedAt: t0, ExpiresAt: at(time.Minute)}
		wantErr(t, "InsertMFAChallenge for no user", st.InsertMFAChallenge(ctx, &bad), core.ErrNotFound)
		noErr(t, "DeleteUser", st.DeleteUser(ctx, u.ID))
		_, err = st.MFAChallengeByHash(ctx, hash("tok"))
		wantErr(t, "a challenge of a deleted user", err, core.ErrNotFound)
	}},
	{"an MFA challenge counts attempts up to its maximum, expires, and is used once", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		newMFAChallenge(t, st, u.ID, "tok", 2)
		for i := 1; i <= 2; i++ {
			c, err := st.AttemptMFAChallenge(ctx, hash("tok"), at(time.Minute))
			noErr(t, "AttemptMFAChallenge", err)
			if c.Attempts != i || c.Live(at(time.Minute)) != (i < 2) {
				t.Fatalf("attempt %d: %s", i, show(c))
			}
		}
		_, err := st.AttemptMFAChallenge(ctx, hash("tok"), at(time.Minute))
		wantErr(t, "AttemptMFAChallenge when exhausted", err, core.ErrNotFound)

		newMFAChallenge(t, st, u.ID, "late", 5)
		_, err = st.AttemptMFAChallenge(ctx, hash("late"), at(5*time.Minute))
		wantErr(t, "AttemptMFAChallenge when expired", err, core.ErrNotFound)

		newMFAChallenge(t, st, u.ID, "used", 5)
		noErr(t, "UseMFAChallenge", st.UseMFAChallenge(ctx, hash("used"), at(time.Minute)))
		wantErr(t, "UseMFAChallenge twice", st.UseMFAChallenge(ctx, hash("used"), at(time.Minute)), core.ErrNotFound)
		_, err = st.AttemptMFAChallenge(ctx, hash("used"), at(time.Minute))
		wantErr(t, "AttemptMFAChallenge after use", err, core.ErrNotFound)
		got, err := st.MFAChallengeByHash(ctx, hash("used"))
		noErr(t, "MFAChallengeByHash", err)
		if got.UsedAt == nil || !got.UsedAt.Equal(at(time.Minute)) || got.Live(at(time.Minute)) {
			t.Fatalf("used challenge: %s", show(got))
		}
	}},
	{"racing attempts on one MFA challenge never exceed its maximum, and one use wins", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		newMFAChallenge(t, st, u.ID, "tok", 3)
		var mu sync.Mutex
		counted, used := 0, 0
		race(func(i int) {
			_, errA := st.AttemptMFAChallenge(ctx, hash("tok"), at(time.Minute))
			errU := st.UseMFAChallenge(ctx, hash("tok"), at(time.Minute))
			mu.Lock()
			defer mu.Unlock()
			if errA == nil {
				counted++
			} else if !errors.Is(errA, core.ErrNotFound) {
				t.Errorf("AttemptMFAChallenge: %v", errA)
			}
			if errU == nil {
				used++
			} else if !errors.Is(errU, core.ErrNotFound) {
				t.Errorf("UseMFAChallenge: %v", errU)
			}
		})
		if counted > 3 || counted < 1 || used != 1 {
			t.Fatalf("%d attempts counted (max 3), %d uses (want 1)", counted, used)
		}
	}},
	{"Purge deletes the MFA challenges expired before the cutoff", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		newMFAChallenge(t, st, u.ID, "old", 5) // expires at t0 + 5 min
		young := identity.MFAChallenge{Hash: hash("young"), UserID: u.ID, Door: "cashdesk", Stamp: hash("s"), MaxAttempts: 5,
			CreatedAt: at(time.Hour), ExpiresAt: at(time.Hour + 5*time.Minute)}
		noErr(t, "InsertMFAChallenge", st.InsertMFAChallenge(ctx, &young))
		noErr(t, "Purge", st.Purge(ctx, at(time.Hour)))
		_, err := st.MFAChallengeByHash(ctx, hash("old"))
		wantErr(t, "an expired challenge after Purge", err, core.ErrNotFound)
		_, err = st.MFAChallengeByHash(ctx, hash("young"))
		noErr(t, "a live challenge after Purge", err)
	}},
	{"recovery codes left counts the unused ones of the user", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		v := newUser(t, st, "b@x.test")
		n, err := st.RecoveryCodesLeft(ctx, u.ID)
		noErr(t, "RecoveryCodesLeft", err)
		if n != 0 {
			t.Fatalf("no codes: %d left", n)
		}
		noErr(t, "ReplaceRecoveryCodes", st.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{hash("r1"), hash("r2"), hash("r3")}, t0))
		noErr(t, "ReplaceRecoveryCodes", st.ReplaceRecoveryCodes(ctx, v.ID, [][]byte{hash("r1")}, t0))
		noErr(t, "UseRecoveryCode", st.UseRecoveryCode(ctx, u.ID, hash("r2"), t0))
		if n, err = st.RecoveryCodesLeft(ctx, u.ID); err != nil || n != 2 {
			t.Fatalf("RecoveryCodesLeft = %d, %v; want 2", n, err)
		}
	}},
}
