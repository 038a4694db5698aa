package core

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzValidateEmail: a normalised address that passes is short, valid
// UTF-8, one mailbox with a dotted domain; failures are typed.
func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"ann@example.com", " Ann@Example.COM ", "a@b", "\"a b\"@c.d", "Ann <a@b.c>", "a@b.c,d@e.f", "\xff@x.y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := NormalizeEmail(s)
		err := ValidateEmail("email", e)
		if err != nil {
			if KindOf(err) != KindInvalid {
				t.Fatalf("%q: untyped error %v", s, err)
			}
			return
		}
		if len(e) > 254 || !utf8.ValidString(e) || strings.Count(e, "@") < 1 || strings.ContainsAny(e, "<>,\r\n") {
			t.Fatalf("%q accepted as %q", s, e)
		}
	})
}

// FuzzCountFailure: whatever the counter held, one failure never lowers
// the count within the window, never locks for longer than the caps, and
// never panics (shifts of large counts).
func FuzzCountFailure(f *testing.F) {
	f.Add(0, int64(0), int64(0), true)
	f.Add(4, int64(1), int64(0), true)
	f.Add(19, int64(5), int64(0), false)
	f.Add(1<<40, int64(10), int64(100), false)
	f.Add(-3, int64(-10), int64(-1), true)
	p := DefaultSecurityPolicy()
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, failures int, lastAgoSec, lockedInSec int64, pair bool) {
		a := Attempts{Key: "k", Failures: failures, LastAt: now.Add(-time.Duration(lastAgoSec%1e9) * time.Second)}
		if lockedInSec != 0 {
			a.LockedUntil = now.Add(time.Duration(lockedInSec%1e9) * time.Second)
		}
		before := a
		p.countFailure(&a, now, pair)
		if wait := a.LockedUntil.Sub(now); wait > max(p.PairBackoffMax, maxAccountLock) && a.LockedUntil != before.LockedUntil {
			t.Fatalf("lock of %v from %+v", wait, before)
		}
		if a.LastAt != now {
			t.Fatalf("LastAt not advanced: %+v", a)
		}
	})
}
