package identity

import (
	"testing"
	"time"
)

func TestCountFailureBacksOffThenLocksAndForgetsIdleCounters(t *testing.T) {
	p := SecurityPolicy{PairThreshold: 3, PairBackoff: time.Second, PairBackoffMax: 5 * time.Second,
		AccountThreshold: 2, AccountLock: time.Minute, Window: time.Hour}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var pair Attempts
	var waits []time.Duration
	for i := 0; i < 6; i++ {
		started := p.countFailure(&pair, now, true)
		waits = append(waits, pair.LockedUntil.Sub(now))
		if started != (i == 2) {
			t.Fatalf("failure %d: started=%v", i+1, started)
		}
	}
	if waits[0] > 0 || waits[1] > 0 || waits[2] != time.Second || waits[3] != 2*time.Second || waits[4] != 4*time.Second || waits[5] != 5*time.Second {
		t.Fatalf("backoffs %v, want none, none, then 1s 2s 4s 5s (the cap)", waits)
	}
	var acct Attempts
	p.countFailure(&acct, now, false)
	if !p.countFailure(&acct, now, false) || acct.LockedUntil != now.Add(time.Minute) {
		t.Fatalf("no lock at the threshold: %+v", acct)
	}
	if p.countFailure(&acct, now.Add(time.Second), false) || acct.Failures != 2 {
		t.Fatalf("a failure during the lock grew it: %+v", acct)
	}
	later := now.Add(3 * time.Hour)
	p.countFailure(&acct, later, false)
	if acct.Failures != 1 || !acct.FirstAt.Equal(later) {
		t.Fatalf("an idle counter was not forgotten: %+v", acct)
	}
}

func TestNetworksGroupAHomeOrOffice(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"198.51.100.7", "198.51.100.200", true},
		{"198.51.100.7", "198.51.101.7", false},
		{"2001:db8:1:2::1", "2001:db8:1:ffff::9", true},
		{"2001:db8:1::1", "2001:db8:2::1", false},
		{"", "", true},
	}
	for _, c := range cases {
		if got := network(c.a) == network(c.b); got != c.same {
			t.Errorf("%s vs %s: same=%v", c.a, c.b, got)
		}
	}
}
