package storetest

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The replay records of private_key_jwt client assertions
// (oauth.Records.UseAssertion, RFC 7523 §3 item 7).

var assertionTests = []test{
	{"an assertion's jti is used once per client until it expires, then may come back", func(t *testing.T, st sqlstore.Backend) {
		use := func(what, client, jti string, expires, now time.Time, want bool) {
			t.Helper()
			first, err := st.UseAssertion(ctx, client, jti, expires, now)
			noErr(t, what, err)
			if first != want {
				t.Fatalf("%s: first = %v, want %v", what, first, want)
			}
		}
		use("first use", "app", "j-1", at(time.Minute), t0, true)
		use("replay", "app", "j-1", at(time.Minute), at(30*time.Second), false)
		use("replay with a later expiry", "app", "j-1", at(time.Hour), at(59*time.Second), false)
		use("the same jti of another client", "other", "j-1", at(time.Minute), t0, true)
		use("another jti", "app", "j-2", at(time.Minute), t0, true)
		use("the jti once its record expired", "app", "j-1", at(3*time.Minute), at(time.Minute), true)
		use("and replayed after that", "app", "j-1", at(3*time.Minute), at(2*time.Minute), false)
	}},
	{"racing uses of one assertion: exactly one is first", func(t *testing.T, st sqlstore.Backend) {
		var firsts, errs atomic.Int32
		race(func(int) {
			first, err := st.UseAssertion(ctx, "app", "j-race", at(time.Minute), t0)
			if err != nil {
				errs.Add(1)
				t.Errorf("UseAssertion: %v", err)
			}
			if first {
				firsts.Add(1)
			}
		})
		if firsts.Load() != 1 || errs.Load() != 0 {
			t.Fatalf("%d racing uses: %d first, %d errors; want exactly 1 first", racers, firsts.Load(), errs.Load())
		}
	}},
	{"racing uses of distinct assertions: every one is first", func(t *testing.T, st sqlstore.Backend) {
		var firsts atomic.Int32
		race(func(i int) {
			first, err := st.UseAssertion(ctx, "app", "j-"+strconv.Itoa(i), at(time.Minute), t0)
			if err != nil {
				t.Errorf("UseAssertion: %v", err)
			}
			if first {
				firsts.Add(1)
			}
		})
		if firsts.Load() != racers {
			t.Fatalf("%d distinct assertions: %d first", racers, firsts.Load())
		}
	}},
	{"the purge deletes expired assertion records and keeps live ones", func(t *testing.T, st sqlstore.Backend) {
		for _, a := range []struct {
			jti     string
			expires time.Time
		}{{"old", at(time.Minute)}, {"live", at(time.Hour)}} {
			if first, err := st.UseAssertion(ctx, "app", a.jti, a.expires, t0); err != nil || !first {
				t.Fatalf("UseAssertion(%s) = %v, %v", a.jti, first, err)
			}
		}
		noErr(t, "PurgeOAuth", st.PurgeOAuth(ctx, at(2*time.Minute)))
		// Asked at t0, when both records would still hold: only the purged
		// one is gone.
		if first, err := st.UseAssertion(ctx, "app", "old", at(time.Minute), t0); err != nil || !first {
			t.Fatalf("the purged record still holds: first=%v err=%v", first, err)
		}
		if first, err := st.UseAssertion(ctx, "app", "live", at(time.Hour), t0); err != nil || first {
			t.Fatalf("the live record was purged: first=%v err=%v", first, err)
		}
	}},
}
