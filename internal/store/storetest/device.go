package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Device authorizations of the standard door (oauth.DeviceRecords, RFC
// 8628): pending until answered once, paced polls, one redemption.

func newDeviceAuth(t *testing.T, st sqlstore.Backend, device, user string, expires time.Time) oauth.DeviceAuth {
	t.Helper()
	d := oauth.DeviceAuth{DeviceHash: hash(device), UserHash: hash(user), ClientID: "cli", Scope: "openid offline_access",
		Interval: 5 * time.Second, CreatedAt: t0, ExpiresAt: expires, Status: oauth.DevicePending}
	noErr(t, "InsertDeviceAuth", st.InsertDeviceAuth(ctx, &d))
	return d
}

func approval(userID int64) *oauth.DeviceAuth {
	return &oauth.DeviceAuth{Status: oauth.DeviceApproved, UserID: userID, AuthTime: at(-time.Minute), AMR: []string{"pwd", "otp"},
		ACR: "mfa", BrowserSID: "web-sid", UserAgent: "Firefox", IP: "192.0.2.1"}
}

var deviceTests = []test{
	{"a device authorization is stored by both hashes, each unique, and read by its user code", func(t *testing.T, st sqlstore.Backend) {
		d := newDeviceAuth(t, st, "dev-1", "BCDFGHJK", at(10*time.Minute))
		got, err := st.DeviceAuthByUserCode(ctx, hash("BCDFGHJK"))
		noErr(t, "DeviceAuthByUserCode", err)
		same(t, "device authorization", got, d)
		dup := d
		dup.DeviceHash = hash("dev-2")
		wantErr(t, "InsertDeviceAuth of a taken user code", st.InsertDeviceAuth(ctx, &dup), core.ErrExists)
		dup = d
		dup.UserHash = hash("LMNPQRST")
		wantErr(t, "InsertDeviceAuth of a taken device code", st.InsertDeviceAuth(ctx, &dup), core.ErrExists)
		_, err = st.DeviceAuthByUserCode(ctx, hash("nope"))
		wantErr(t, "DeviceAuthByUserCode of an unknown code", err, core.ErrNotFound)
	}},
	{"an answer is recorded once, only while pending and unexpired, with the person's sign-in", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newDeviceAuth(t, st, "dev-1", "BCDFGHJK", at(10*time.Minute))
		noErr(t, "DecideDeviceAuth", st.DecideDeviceAuth(ctx, hash("BCDFGHJK"), approval(u.ID), at(time.Minute)))
		got, _ := st.DeviceAuthByUserCode(ctx, hash("BCDFGHJK"))
		if got.Status != oauth.DeviceApproved || got.UserID != u.ID || !got.AuthTime.Equal(at(-time.Minute)) || len(got.AMR) != 2 ||
			got.ACR != "mfa" || got.BrowserSID != "web-sid" || got.IP != "192.0.2.1" || got.DecidedAt == nil || !got.DecidedAt.Equal(at(time.Minute)) {
			t.Fatalf("after the approval: %+v", got)
		}
		deny := approval(u.ID)
		deny.Status = oauth.DeviceDenied
		wantErr(t, "a second answer", st.DecideDeviceAuth(ctx, hash("BCDFGHJK"), deny, at(2*time.Minute)), core.ErrNotFound)
		if got, _ := st.DeviceAuthByUserCode(ctx, hash("BCDFGHJK")); got.Status != oauth.DeviceApproved {
			t.Fatalf("a second answer changed the status to %q", got.Status)
		}
		newDeviceAuth(t, st, "dev-2", "LMNPQRST", at(10*time.Minute))
		wantErr(t, "an answer at the expiry", st.DecideDeviceAuth(ctx, hash("LMNPQRST"), deny, at(10*time.Minute)), core.ErrNotFound)
		wantErr(t, "an answer to an unknown code", st.DecideDeviceAuth(ctx, hash("nope"), deny, t0), core.ErrNotFound)
	}},
	{"a poll sooner than the interval sets slow_down and adds 5 seconds; a poll after it clears it", func(t *testing.T, st sqlstore.Backend) {
		newDeviceAuth(t, st, "dev-1", "BCDFGHJK", at(10*time.Minute))
		d, err := st.PollDeviceAuth(ctx, hash("dev-1"), at(time.Second))
		noErr(t, "first poll", err)
		if d.SlowDown || d.Interval != 5*time.Second || d.LastPollAt == nil || !d.LastPollAt.Equal(at(time.Second)) {
			t.Fatalf("first poll: slow=%v interval=%v last=%v", d.SlowDown, d.Interval, d.LastPollAt)
		}
		d, _ = st.PollDeviceAuth(ctx, hash("dev-1"), at(3*time.Second))
		if !d.SlowDown || d.Interval != 10*time.Second {
			t.Fatalf("a poll 2 s after the last: slow=%v interval=%v, want slow_down and 10s", d.SlowDown, d.Interval)
		}
		d, _ = st.PollDeviceAuth(ctx, hash("dev-1"), at(13*time.Second))
		if d.SlowDown || d.Interval != 10*time.Second {
			t.Fatalf("a poll 10 s after the last: slow=%v interval=%v, want no slow_down, 10s", d.SlowDown, d.Interval)
		}
		_, err = st.PollDeviceAuth(ctx, hash("nope"), t0)
		wantErr(t, "a poll of an unknown code", err, core.ErrNotFound)
	}},
	{"only an approved, unexpired authorization redeems, and only once", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newDeviceAuth(t, st, "dev-1", "BCDFGHJK", at(10*time.Minute))
		if first, err := st.RedeemDeviceAuth(ctx, hash("dev-1"), at(time.Second)); err != nil || first {
			t.Fatalf("a pending authorization redeemed: first=%v err=%v", first, err)
		}
		noErr(t, "approve", st.DecideDeviceAuth(ctx, hash("BCDFGHJK"), approval(u.ID), at(time.Second)))
		if first, err := st.RedeemDeviceAuth(ctx, hash("dev-1"), at(10*time.Minute)); err != nil || first {
			t.Fatalf("an expired approval redeemed: first=%v err=%v", first, err)
		}
		if first, err := st.RedeemDeviceAuth(ctx, hash("dev-1"), at(2*time.Second)); err != nil || !first {
			t.Fatalf("the approval did not redeem: first=%v err=%v", first, err)
		}
		if first, _ := st.RedeemDeviceAuth(ctx, hash("dev-1"), at(3*time.Second)); first {
			t.Fatal("a device code redeemed twice")
		}
		got, _ := st.DeviceAuthByUserCode(ctx, hash("BCDFGHJK"))
		if got.Status != oauth.DeviceRedeemed || got.RedeemedAt == nil || !got.RedeemedAt.Equal(at(2*time.Second)) {
			t.Fatalf("after the redemption: status %q redeemed %v", got.Status, got.RedeemedAt)
		}
	}},
	{"racing redemptions of one approved device code: exactly one is first", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newDeviceAuth(t, st, "dev-1", "BCDFGHJK", at(10*time.Minute))
		noErr(t, "approve", st.DecideDeviceAuth(ctx, hash("BCDFGHJK"), approval(u.ID), at(time.Second)))
		var firsts, errs atomic.Int32
		race(func(int) {
			if _, err := st.PollDeviceAuth(ctx, hash("dev-1"), at(time.Minute)); err != nil {
				errs.Add(1)
				t.Errorf("PollDeviceAuth: %v", err)
			}
			first, err := st.RedeemDeviceAuth(ctx, hash("dev-1"), at(time.Minute))
			if err != nil {
				errs.Add(1)
				t.Errorf("RedeemDeviceAuth: %v", err)
			}
			if first {
				firsts.Add(1)
			}
		})
		if firsts.Load() != 1 || errs.Load() != 0 {
			t.Fatalf("%d racing redemptions: %d first, %d errors; want exactly 1 first", racers, firsts.Load(), errs.Load())
		}
	}},
	{"racing answers to one user code: exactly one is recorded", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newDeviceAuth(t, st, "dev-1", "BCDFGHJK", at(10*time.Minute))
		var wins atomic.Int32
		race(func(i int) {
			d := approval(u.ID)
			if i%2 == 1 {
				d.Status = oauth.DeviceDenied
			}
			if err := st.DecideDeviceAuth(ctx, hash("BCDFGHJK"), d, at(time.Second)); err == nil {
				wins.Add(1)
			} else if core.KindOf(err) != core.KindNotFound {
				t.Errorf("DecideDeviceAuth: %v", err)
			}
		})
		if wins.Load() != 1 {
			t.Fatalf("%d racing answers: %d recorded, want 1", racers, wins.Load())
		}
	}},
	{"the purge deletes expired device authorizations and keeps live ones", func(t *testing.T, st sqlstore.Backend) {
		newDeviceAuth(t, st, "old", "BCDFGHJK", at(time.Minute))
		newDeviceAuth(t, st, "live", "LMNPQRST", at(time.Hour))
		noErr(t, "PurgeDeviceAuths", st.PurgeDeviceAuths(ctx, at(2*time.Minute)))
		_, err := st.DeviceAuthByUserCode(ctx, hash("BCDFGHJK"))
		wantErr(t, "expired authorization after purge", err, core.ErrNotFound)
		_, err = st.DeviceAuthByUserCode(ctx, hash("LMNPQRST"))
		noErr(t, "live authorization after purge", err)
	}},
}
