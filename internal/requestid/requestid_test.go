package requestid

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestSaneIdsAreShortAndPlain(t *testing.T) {
	for id, want := range map[string]bool{
		"abc":                         true,
		"A-b_c.9":                     true,
		strings.Repeat("x", MaxLen):   true,
		"":                            false,
		strings.Repeat("x", MaxLen+1): false,
		"a b":                         false,
		"a\nlevel=ERROR":              false,
		"a\"b":                        false,
		"ünï":                         false,
		"a/b":                         false,
	} {
		if Sane(id) != want {
			t.Errorf("Sane(%q) = %v, want %v", id, !want, want)
		}
	}
}

func TestASaneIdIsKeptAndAnyOtherReplaced(t *testing.T) {
	r, _ := http.NewRequest("GET", "/", nil)
	if got := Of(r); !Sane(got) || len(got) != 26 {
		t.Fatalf("no header: %q, want a fresh sane id", got)
	}
	r.Header.Set(Header, "lb-1234.5")
	if got := Of(r); got != "lb-1234.5" {
		t.Fatalf("sane header: %q", got)
	}
	r.Header.Set(Header, "evil\r\nid")
	if got := Of(r); got == "evil\r\nid" || !Sane(got) {
		t.Fatalf("insane header: %q", got)
	}
	r.Header.Set(Header, "one")
	r.Header.Add(Header, "two")
	if got := Of(r); got == "one" || got == "two" {
		t.Fatalf("two headers: kept %q", got)
	}
	if a, b := New(), New(); a == b {
		t.Fatalf("two fresh ids are equal: %q", a)
	}
}

func TestLinesLoggedWithTheContextCarryTheId(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewTextHandler(&buf, nil))).With("component", "test")
	if _, ok := NewHandler(log.Handler()).(Handler); !ok {
		t.Fatal("wrapping twice changed the handler's type")
	}
	ctx := With(context.Background(), "req-42")
	log.InfoContext(ctx, "inside")
	log.Info("outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "request_id=req-42") || strings.Contains(lines[1], "request_id") {
		t.Fatalf("log:\n%s", buf.String())
	}
}

// FuzzOf: whatever a client sends as X-Request-Id, the id used is sane,
// and a sane one is kept as it is.
func FuzzOf(f *testing.F) {
	for _, s := range []string{"", "abc", "lb-1.2_3", "a b", "x\r\ny", strings.Repeat("z", 65), "\x00", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sent string) {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header[Header] = []string{sent}
		got := Of(r)
		if !Sane(got) {
			t.Fatalf("Of(%q) = %q, not sane", sent, got)
		}
		if Sane(sent) != (got == sent) {
			t.Fatalf("Of(%q) = %q: a sane id must be kept, any other replaced", sent, got)
		}
	})
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		_ = New()
	}
}
