package keys_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

// lead is the publication lead of the default options: the JWKS max-age
// (5 min) plus the sync interval (5 s).
const lead = 5*time.Minute + 5*time.Second

func TestARotationIsPublishedAtOnceAndSignsOnlyAfterTheCacheLifetimeAndTheSyncInterval(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	a := e.ring(t, keys.RingOptions{})
	b := e.ring(t, keys.RingOptions{}) // another node
	old := mustCurrent(t, a)
	before := mustSign(t, a, sampleClaims(e.clk.Now()))
	k, err := a.Rotate(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if k.KID == old.KID || !k.ActiveFrom.Equal(e.clk.Now().Add(lead)) {
		t.Fatalf("Rotate made %s active from %v, want a new key from %v", k.KID, k.ActiveFrom, e.clk.Now().Add(lead))
	}
	if pub := jwksKeys(t, a.JWKS()); len(pub) != 2 || pub[k.KID] == nil {
		t.Fatalf("JWKS of the rotating node has %d keys, want the old and the new", len(pub))
	}
	if err := b.Ensure(ctx); err != nil { // b's next sync
		t.Fatal(err)
	}
	if pub := jwksKeys(t, b.JWKS()); pub[k.KID] == nil {
		t.Fatal("the other node does not publish the new key after a sync")
	}
	e.clk.Advance(lead - time.Millisecond)
	for name, r := range map[string]*keys.Ring{"rotating node": a, "other node": b} {
		if cur := mustCurrent(t, r); cur.KID != old.KID || !bytes.Equal(r.PublicPEM(), []byte(old.PublicPEM)) {
			t.Fatalf("%s signs with %s before the lead has passed, want %s", name, cur.KID, old.KID)
		}
	}
	e.clk.Advance(time.Millisecond)
	for name, r := range map[string]*keys.Ring{"rotating node": a, "other node": b} {
		if cur := mustCurrent(t, r); cur.KID != k.KID || !bytes.Equal(r.PublicPEM(), []byte(k.PublicPEM)) {
			t.Fatalf("%s signs with %s once the lead has passed, want %s", name, cur.KID, k.KID)
		}
		if _, err := r.Verify(ctx, before); err != nil {
			t.Fatalf("%s refuses a token of the retired key: %v", name, err)
		}
	}
	// The old key retired when the new one began, and stays published
	// until the tokens it signed have expired (24 h + the skew margin).
	if err := b.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(24*time.Hour + 5*time.Minute)
	for name, r := range map[string]*keys.Ring{"rotating node": a, "other node": b} {
		if err := r.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		if pub := jwksKeys(t, r.JWKS()); pub[old.KID] != nil || pub[k.KID] == nil {
			t.Fatalf("%s publishes %v a day after the rotation, want the new key without the old", name, pub)
		}
	}
}

func TestAnImmediateRotationSignsAtOnceAndUnpublishesTheOldKeys(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	a := e.ring(t, keys.RingOptions{})
	b := e.ring(t, keys.RingOptions{})
	old := mustCurrent(t, a)
	leaked := mustSign(t, a, sampleClaims(e.clk.Now()))
	if _, err := b.Verify(ctx, leaked); err != nil { // b has it in its verified cache
		t.Fatal(err)
	}
	k, err := a.Rotate(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if cur := mustCurrent(t, a); cur.KID != k.KID || !cur.ActiveFrom.Equal(e.clk.Now()) {
		t.Fatalf("after an immediate rotation the node signs with %s, want %s at once", cur.KID, k.KID)
	}
	if pub := jwksKeys(t, a.JWKS()); len(pub) != 1 || pub[k.KID] == nil {
		t.Fatalf("JWKS after an immediate rotation: %v, want only the new key", pub)
	}
	if _, err := a.Verify(ctx, leaked); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("a token of the replaced key still verifies on the rotating node: %v", err)
	}
	e.clk.Advance(5 * time.Second)
	if err := b.Ensure(ctx); err != nil { // the other node's next sync
		t.Fatal(err)
	}
	if _, err := b.Verify(ctx, leaked); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("a token of the replaced key still verifies on the other node after its sync: %v", err)
	}
	if cur := mustCurrent(t, b); cur.KID != k.KID || cur.KID == old.KID {
		t.Fatalf("the other node signs with %s after its sync, want %s", cur.KID, k.KID)
	}
}

func TestNodesStartingTogetherMakeOneKeyOfEachUseAndAdoptIt(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	for _, use := range []string{"sig", "enc"} {
		rings := make([]*keys.Ring, 3)
		e.st.meetAtLoad(len(rings))
		var wg sync.WaitGroup
		for i := range rings {
			rings[i] = keys.NewRing(e.st, testSealer(t), keys.RingOptions{Use: use, Now: e.clk.Now, Generate: e.gen})
			wg.Go(func() {
				if err := rings[i].Ensure(ctx); err != nil {
					t.Errorf("node %d: Ensure: %v", i, err)
				}
			})
		}
		wg.Wait()
		stored, _ := e.st.Keys(ctx, use, e.clk.Now())
		if len(stored) != 1 {
			t.Fatalf("three nodes starting together stored %d %s keys, want 1", len(stored), use)
		}
		for i, r := range rings {
			if cur := mustCurrent(t, r); cur.KID != stored[0].KID {
				t.Fatalf("node %d uses %s key %s, want the one stored, %s", i, use, cur.KID, stored[0].KID)
			}
		}
	}
}

// A node whose clock is a little behind the node that made the first key
// (another host; or a process that read its clock before it waited for
// the store's lock while the other committed) must find that key active
// and adopt it, not make a second one: two first keys left the nodes of
// one cluster publishing different key sets.
func TestANodeWhoseClockIsBehindAdoptsTheFirstKeyAnotherMade(t *testing.T) {
	ctx := context.Background()
	for _, use := range []string{"sig", "enc"} {
		e := newEnv()
		ahead := keys.NewRing(e.st, testSealer(t), keys.RingOptions{Use: use, Now: e.clk.Now, Generate: e.gen})
		behind := keys.NewRing(e.st, testSealer(t), keys.RingOptions{Use: use, Generate: e.gen,
			Now: func() time.Time { return e.clk.Now().Add(-2 * time.Second) }})
		if err := ahead.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		if err := behind.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		stored, _ := e.st.Keys(ctx, use, e.clk.Now())
		if len(stored) != 1 {
			t.Fatalf("%s: two nodes whose clocks differ by 2 s stored %d first keys, want 1", use, len(stored))
		}
		if a, b := mustCurrent(t, ahead), mustCurrent(t, behind); a.KID != b.KID {
			t.Fatalf("%s: the nodes use keys %s and %s, want one", use, a.KID, b.KID)
		}
	}
}

func TestTheNextCredentialKeyIsPublishedBeforeTheCurrentOneRetires(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	a := e.ring(t, keys.RingOptions{Use: "enc"})
	b := e.ring(t, keys.RingOptions{Use: "enc"})
	first := mustCurrent(t, a)
	// Two leads before retirement a sync makes the next key on one node.
	advanceTo(e.clk, first.RetireAt.Add(-2*lead+time.Second))
	if err := a.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(b.Decrypters()); n != 2 {
		t.Fatalf("the other node decrypts with %d keys before the current one retires, want the current and the next", n)
	}
	if !bytes.Equal(b.PublicPEM(), []byte(first.PublicPEM)) {
		t.Fatal("the next credential key is handed out before the current one retires")
	}
	advanceTo(e.clk, first.RetireAt) // no sync on either node since
	next := mustCurrent(t, b)
	if next.KID == first.KID || !bytes.Equal(a.PublicPEM(), []byte(next.PublicPEM)) || !bytes.Equal(b.PublicPEM(), []byte(next.PublicPEM)) {
		t.Fatalf("at retirement the nodes hand out %s and %s, want the next key %s", mustCurrent(t, a).KID, next.KID, next.KID)
	}
	ct := encryptOAEP(t, b.PublicPEM(), "ann@example.test")
	if !opens(a.Decrypters(), ct) {
		t.Fatal("a credential encrypted with the key one node hands out does not open on the other")
	}
}

func TestThePublicKeyIsNeverEmptyWhileAKeyIsPublished(t *testing.T) {
	for _, use := range []string{"sig", "enc"} {
		e := newEnv()
		r := e.ring(t, keys.RingOptions{Use: use})
		k := mustCurrent(t, r)
		advanceTo(e.clk, k.RetireAt) // retired, and this node could not sync since
		if _, err := r.Current(); !errors.Is(err, keys.ErrNoKey) {
			t.Fatalf("%s: a retired key is current", use)
		}
		if got := r.PublicPEM(); !bytes.Equal(got, []byte(k.PublicPEM)) {
			t.Fatalf("%s: PublicPEM after the current key retired unsynced = %q, want the newest published key", use, got)
		}
		advanceTo(e.clk, k.ExpiresAt)
		if got := r.PublicPEM(); got != nil {
			t.Fatalf("%s: PublicPEM with no key published = %q, want nil (the door answers 503)", use, got)
		}
	}
}

// advanceTo moves the clock forward to t.
func advanceTo(c *testclock.Clock, t time.Time) { c.Advance(t.Sub(c.Now())) }
