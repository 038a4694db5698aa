package server_test

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// heldCommit stands in on SQLite for a network that holds the reply to a
// COMMIT: when armed, the spend of a refresh token (a refresh's first use,
// its own transaction, or one the core opened) commits and then waits out
// the request's deadline before it returns.
type heldCommit struct {
	sqlstore.Backend
	armed *atomic.Bool
}

func (h heldCommit) UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte, audit *identity.AuditEvent) error {
	err := h.Backend.UseRefreshToken(ctx, hash, at, next, sealed, audit)
	if err != nil || !h.armed.CompareAndSwap(true, false) {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

func (h heldCommit) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	spent := false
	err := h.Backend.Tx(ctx, func(tx sqlstore.Backend) error { return fn(spendWatch{tx, &spent}) })
	if err != nil || !spent || !h.armed.CompareAndSwap(true, false) {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// spendWatch notes that a refresh token was spent through it.
type spendWatch struct {
	sqlstore.Backend
	spent *bool
}

func (s spendWatch) UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte, audit *identity.AuditEvent) error {
	*s.spent = true
	return s.Backend.UseRefreshToken(ctx, hash, at, next, sealed, audit)
}

// TestARefreshWhoseCommitReplyOutlastsTheDeadlineIsRetriedIntoTheSameSuccessor
// is a commit acknowledged later than the request's deadline: the rotation
// committed, the client got 503 only when the deadline passed, so its
// retry comes a whole deadline after the token was spent. The grace is
// counted from the latest moment the first presentation could have been
// answered (its use + the request deadline), so the retry gets the
// successor the lost answer carried and the session lives; a presentation
// after the deadline and the grace is still reuse. On PostgreSQL a TCP
// proxy withholds the reply to the statement that spends the token (a
// first use is one statement, committed on its own), recognised by the
// audit type it carries as a parameter.
func TestARefreshWhoseCommitReplyOutlastsTheDeadlineIsRetriedIntoTheSameSuccessor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		const deadline, grace = 2 * time.Second, time.Second
		var proxy *testenv.Proxy
		armed := &atomic.Bool{}
		edit := func(*config.Config) {}
		opts := func(o *testenv.Options) {
			o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return heldCommit{s, armed} }
		}
		if b == testenv.Postgres {
			edit, opts = viaProxy(&proxy, t), func(*testenv.Options) {}
		}
		e := newEnv(t, b, func(c *config.Config) {
			edit(c)
			c.RequestTimeout, c.RefreshGrace = deadline, grace
		}, opts)
		signUp(t, e, "uma@example.com", "uma's password")
		p := mustLogin(t, e, "uma@example.com", "uma's password")

		if proxy != nil {
			proxy.WithholdReplyTo(identity.AuditTokenRefreshed)
		} else {
			armed.Store(true)
		}
		start := time.Now()
		assert503(t, "refresh whose commit reply is held", refresh(e, p.RefreshToken))
		if waited := time.Since(start); waited < deadline {
			t.Fatalf("answered after %v, before the deadline: the commit's reply was not held", waited)
		}
		if proxy != nil {
			drainPool(e)
		}
		// The client's clock: its answer came a deadline after the use.
		e.Clock.Advance(deadline)
		retry := mustRefresh(t, e, p.RefreshToken)
		var successor []byte
		st := e.Store
		if h, ok := st.(heldCommit); ok {
			st = h.Backend
		}
		db := st.(*sqlstore.Store).DB()
		if err := db.QueryRow(`SELECT successor_hash FROM refresh_tokens WHERE hash = $1`,
			core.HashSecret(p.RefreshToken)).Scan(&successor); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(core.HashSecret(retry.RefreshToken), successor) {
			t.Fatal("the retry got another refresh token than the committed successor")
		}
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(retry.AccessToken)...); r.Status != 200 {
			t.Fatalf("the session did not survive the held commit: %d %s", r.Status, r.Body)
		}

		e.Clock.Advance(grace + time.Millisecond) // past use + deadline + grace
		mustBeRefused(t, "the spent token after the deadline and the grace", refresh(e, p.RefreshToken))
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(retry.AccessToken)...); r.Status != 401 {
			t.Fatalf("a presentation after the window left the session alive: %d", r.Status)
		}
		if ev := auditEvents(t, e, "&type=token.reuse"); len(ev) != 1 {
			t.Fatalf("token.reuse rows: %v", ev)
		}
	})
}
