package admin

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

// FuzzAuditQuery: the audit endpoint's query parameters either parse or
// answer a typed 400; nothing panics.
func FuzzAuditQuery(f *testing.F) {
	for _, s := range []string{"", "0", "50", "-1", "1e3", "99999999999999999999", "2026-03-14T09:00:00Z", "2026-13-01T00:00:00Z", "yesterday"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := intParam(s, 50); err != nil && core.KindOf(err) != core.KindInvalid || err == nil && n < 0 {
			t.Fatalf("limit %q: %d %v", s, n, err)
		}
		if _, err := timeParam("since", s); err != nil && core.KindOf(err) != core.KindInvalid {
			t.Fatalf("since %q: %v", s, err)
		}
	})
}
