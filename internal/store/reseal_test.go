package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// TestResealRewritesEveryPageAndLeavesWhatANodeChangedMeanwhile queues
// more mail than one page, re-seals it ("v1" → "v2") and, during the
// run, lets a "node" send one mail (its sealed body cleared): every value
// is rewritten, the cleared one stays cleared and is counted, and a value
// that does not open is named, not changed.
func TestResealRewritesEveryPageAndLeavesWhatANodeChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	for name, url := range map[string]func() string{
		"sqlite":   func() string { return "sqlite://" + filepath.Join(t.TempDir(), "g.db") },
		"postgres": func() string { return pgtest.URL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			dbURL := url()
			st, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			const n = 450
			ids := make([]int64, n)
			for i := range ids {
				m := outbox.Message{Channel: outbox.ChannelMail, To: fmt.Sprintf("u%d@example.com", i), Kind: "confirm_email",
					Sealed: []byte(fmt.Sprintf("v1:%d", i)), NextAttempt: now, CreatedAt: now}
				if i == 7 {
					m.Sealed = []byte("garbage")
				}
				if err := st.EnqueueMail(ctx, &m); err != nil {
					t.Fatal(err)
				}
				ids[i] = m.ID
			}
			rep, err := store.Reseal(ctx, dbURL, func(v []byte) ([]byte, bool, error) {
				if bytes.Equal(v, []byte("v1:3")) { // a node sends mail 3 while it is being re-sealed
					if err := st.MarkMailSent(ctx, ids[3], now); err != nil {
						t.Fatal(err)
					}
				}
				rest, ok := bytes.CutPrefix(v, []byte("v1:"))
				if !ok {
					return v, false, errors.New("does not open")
				}
				return append([]byte("v2:"), rest...), true, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var outbox = rep.Columns[2]
			if outbox.Column.Table != "outbox" || outbox.Read != n || outbox.Resealed != n-2 || outbox.Meantime != 1 {
				t.Fatalf("outbox: %+v, want %d read, %d re-sealed, 1 changed meanwhile", outbox, n, n-2)
			}
			if len(rep.Failed) != 1 || rep.Failed[0] != fmt.Sprintf("outbox.sealed id=%d", ids[7]) {
				t.Fatalf("failed: %v", rep.Failed)
			}
			seen := map[string]bool{}
			if _, err := store.Reseal(ctx, dbURL, func(v []byte) ([]byte, bool, error) {
				seen[string(v)] = true
				return v, false, nil
			}); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				want := fmt.Sprintf("v2:%d", i)
				switch i {
				case 3:
					want = ""
				case 7:
					want = "garbage"
				}
				if want != "" && !seen[want] {
					t.Errorf("mail %d: %q not stored", i, want)
				}
			}
			if seen["v1:3"] || seen["v2:3"] || strings.Contains(fmt.Sprint(rep), "v1:") {
				t.Fatal("the mail a node sent meanwhile got a body again, or the report shows a value")
			}
		})
	}
}
