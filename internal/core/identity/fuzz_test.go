package identity

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
)

// FuzzValidateEmail: an address that passes is short, valid UTF-8, one
// mailbox with a dotted domain, without invisible characters, and has a
// key; failures are typed.
func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"ann@example.com", " Ann@Example.COM ", "a@b", "\"a b\"@c.d", "Ann <a@b.c>", "a@b.c,d@e.f", "\xff@x.y", "",
		"jose\u0301.n@example.com", "a\u200bb@example.com", "a@b\u202e.example", strings.Repeat("a", 65) + "@example.com", "ａ＠example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateEmail("email", s)
		if err != nil {
			if core.KindOf(err) != core.KindInvalid {
				t.Fatalf("%q: untyped error %v", s, err)
			}
			return
		}
		e := strings.TrimSpace(s)
		if len(e) > 254 || !utf8.ValidString(e) || strings.Count(e, "@") < 1 || strings.ContainsAny(e, "<>,\r\n\u200b\u202e") {
			t.Fatalf("%q accepted as %q", s, e)
		}
		if _, err := EmailKey(s); err != nil {
			t.Fatalf("%q accepted without a key: %v", s, err)
		}
	})
}

// FuzzEmailKey: the key never panics, is its own key (a stored key looks
// up its account), is a valid address of at most 254 octets, and
// LookupKey, which never fails, is idempotent too.
func FuzzEmailKey(f *testing.F) {
	for _, s := range []string{"josé.n@example.com", "jose\u0301.n@example.com", "ＪＵＲＧＥＮ@bücher.example", "straße@straße.example",
		"İ@example.com", strings.Repeat("\u212a", 22) + "@example.com", "a＂b@example.com", "x@xn--bcher-kva.example", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := EmailKey(s); err == nil {
			if again, err := EmailKey(k); err != nil || again != k {
				t.Fatalf("EmailKey(%q) = %q; its key is %q, %v", s, k, again, err)
			}
			if len(k) > 254 || !utf8.ValidString(k) {
				t.Fatalf("EmailKey(%q) = %q", s, k)
			}
		}
		if k := LookupKey(s); LookupKey(k) != k {
			t.Fatalf("LookupKey(%q) = %q but LookupKey(%q) = %q", s, k, k, LookupKey(k))
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
	p := SecurityPolicy{ // the defaults of config.Default()
		PairThreshold: 5, PairBackoff: 2 * time.Second, PairBackoffMax: 15 * time.Minute,
		AccountThreshold: 20, AccountLock: 15 * time.Minute, Window: 24 * time.Hour,
	}
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
