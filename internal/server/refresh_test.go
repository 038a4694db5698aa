package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// lostAnswer lets a transaction that writes a refresh token commit and then,
// when armed, fails as a connection lost before the commit's acknowledgement
// would: the change stands and the client is answered 503. It remembers the
// hashes of the refresh tokens that transaction wrote.
type lostAnswer struct {
	sqlstore.Backend
	armed   *atomic.Bool
	mu      *sync.Mutex
	written *[][]byte
}

func (l lostAnswer) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	var mine [][]byte
	err := l.Backend.Tx(ctx, func(tx sqlstore.Backend) error {
		mine = nil // a retried attempt starts again
		return fn(recordRefresh{tx, &mine})
	})
	if err != nil || len(mine) == 0 || !l.armed.CompareAndSwap(true, false) {
		return err
	}
	l.mu.Lock()
	*l.written = append(*l.written, mine...)
	l.mu.Unlock()
	return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

// recordRefresh notes the hash of every refresh token written through it.
type recordRefresh struct {
	sqlstore.Backend
	hashes *[][]byte
}

func (r recordRefresh) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	return r.Backend.Tx(ctx, func(tx sqlstore.Backend) error { return fn(recordRefresh{tx, r.hashes}) })
}

func (r recordRefresh) InsertRefreshToken(ctx context.Context, t *identity.RefreshToken) error {
	*r.hashes = append(*r.hashes, t.Hash)
	return r.Backend.InsertRefreshToken(ctx, t)
}

func (r recordRefresh) UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte, audit *identity.AuditEvent) error {
	*r.hashes = append(*r.hashes, next.Hash)
	return r.Backend.UseRefreshToken(ctx, hash, at, next, sealed, audit)
}

// UseRefreshToken outside a transaction is a refresh's first use, which
// commits on its own: when armed, its answer is lost in the same way.
func (l lostAnswer) UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte, audit *identity.AuditEvent) error {
	err := l.Backend.UseRefreshToken(ctx, hash, at, next, sealed, audit)
	if err != nil || !l.armed.CompareAndSwap(true, false) {
		return err
	}
	l.mu.Lock()
	*l.written = append(*l.written, next.Hash)
	l.mu.Unlock()
	return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

// newLostAnswerEnv starts a server whose store can lose one refresh's answer.
func newLostAnswerEnv(t *testing.T, b testenv.Backend) (e *testenv.Env, arm func() (written func() [][]byte)) {
	armed, mu, written := &atomic.Bool{}, &sync.Mutex{}, &[][]byte{}
	e = newEnv(t, b, nil, func(o *testenv.Options) {
		o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return lostAnswer{s, armed, mu, written} }
	})
	return e, func() func() [][]byte {
		armed.Store(true)
		return func() [][]byte {
			mu.Lock()
			defer mu.Unlock()
			return append([][]byte(nil), *written...)
		}
	}
}

func refresh(e *testenv.Env, token string) *testenv.Response {
	return e.Do("POST", "/v1/auth/refresh", map[string]string{"token": token})
}

func mustRefresh(t *testing.T, e *testenv.Env, token string) pair {
	t.Helper()
	r := refresh(e, token)
	if r.Status != 200 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	var p pair
	r.JSON(t, &p)
	return p
}

func mustBeRefused(t *testing.T, what string, r *testenv.Response) {
	t.Helper()
	if r.Status != 401 || r.Map(t)["error"] != "invalid_token" {
		t.Fatalf("%s: %d %s, want 401 invalid_token", what, r.Status, r.Body)
	}
}

// TestARefreshCommittedButAnswered503IsRetriedIntoTheSameSuccessor is the
// lost answer: the rotation committed, the client saw 503 and still holds
// the spent token. Its retry within the grace window gets the very refresh
// token the lost answer carried (no second chain), the session lives on,
// and once that successor is used the old token is reuse.
func TestARefreshCommittedButAnswered503IsRetriedIntoTheSameSuccessor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e, arm := newLostAnswerEnv(t, b)
		signUp(t, e, "ola@example.com", "ola's password")
		p := mustLogin(t, e, "ola@example.com", "ola's password")

		written := arm()
		assert503(t, "refresh whose answer is lost", refresh(e, p.RefreshToken))
		lost := written()
		if len(lost) != 1 {
			t.Fatalf("the lost refresh wrote %d refresh tokens, want 1", len(lost))
		}
		e.Clock.Advance(e.Config.RefreshGrace / 2)
		retry := mustRefresh(t, e, p.RefreshToken)
		if !bytes.Equal(core.HashSecret(retry.RefreshToken), lost[0]) {
			t.Fatal("the retry got another refresh token than the one the lost answer carried")
		}
		again := mustRefresh(t, e, p.RefreshToken)
		if again.RefreshToken != retry.RefreshToken || again.AccessToken == retry.AccessToken {
			t.Fatal("a second retry within the grace must get the same refresh token with a fresh access token")
		}
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(retry.AccessToken)...); r.Status != 200 {
			t.Fatalf("the session did not survive the lost answer: %d %s", r.Status, r.Body)
		}
		next := mustRefresh(t, e, retry.RefreshToken)
		// Still inside the grace of the first use, but its successor is spent now.
		mustBeRefused(t, "the old token after its successor was used", refresh(e, p.RefreshToken))
		mustBeRefused(t, "the family after reuse", refresh(e, next.RefreshToken))
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(next.AccessToken)...); r.Status != 401 {
			t.Fatalf("access token of the revoked family: %d", r.Status)
		}
		if ev := auditEvents(t, e, "&type=token.reuse"); len(ev) != 1 {
			t.Fatalf("token.reuse rows: %v", ev)
		}
	})
}

// TestALostAnswerRetriedAfterTheGraceIsReuse pins the documented edge: the
// window is the client's whole allowance for retries. After it, a spent
// token is reuse even though its successor was never delivered.
func TestALostAnswerRetriedAfterTheGraceIsReuse(t *testing.T) {
	e, arm := newLostAnswerEnv(t, testenv.SQLite)
	signUp(t, e, "pia@example.com", "pia's password")
	p := mustLogin(t, e, "pia@example.com", "pia's password")
	arm()
	assert503(t, "refresh whose answer is lost", refresh(e, p.RefreshToken))
	e.Clock.Advance(e.Config.RequestTimeout + e.Config.RefreshGrace + time.Second)
	mustBeRefused(t, "retry after the grace", refresh(e, p.RefreshToken))
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(p.AccessToken)...); r.Status != 401 {
		t.Fatalf("the session survived a reuse: %d", r.Status)
	}
}

// TestFortyConcurrentRefreshesOfOneTokenGetOneSuccessor races 40 requests
// presenting one refresh token: all are answered 200 with the same refresh
// token (each with an access token of its own), only one successor is
// stored, and a thief replaying the token after the owner rotated again
// ends the session.
func TestFortyConcurrentRefreshesOfOneTokenGetOneSuccessor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "quy@example.com", "quy's password")
		p := mustLogin(t, e, "quy@example.com", "quy's password")
		const n = 40
		answers := make([]struct {
			status int
			body   []byte
			err    error
		}, n)
		body := `{"token":"` + p.RefreshToken + `"}`
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := e.Client.Post(e.URL+"/v1/auth/refresh", "application/json", strings.NewReader(body))
				if err != nil {
					answers[i].err = err
					return
				}
				defer res.Body.Close()
				answers[i].status = res.StatusCode
				answers[i].body, answers[i].err = io.ReadAll(res.Body)
			}()
		}
		close(start)
		wg.Wait()
		var first pair
		access := map[string]bool{}
		for i, r := range answers {
			if r.err != nil || r.status != 200 {
				t.Fatalf("request %d: %d %s %v", i, r.status, r.body, r.err)
			}
			var got pair
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = got
			}
			if got.RefreshToken != first.RefreshToken {
				t.Fatalf("request %d got a sibling refresh token", i)
			}
			access[got.AccessToken] = true
		}
		if len(access) != n {
			t.Fatalf("%d distinct access tokens, want %d", len(access), n)
		}
		var rows int
		db := e.Store.(*sqlstore.Store).DB()
		if err := db.QueryRow(`SELECT COUNT(*) FROM refresh_tokens`).Scan(&rows); err != nil || rows != 2 {
			t.Fatalf("%d refresh tokens stored (%v), want the login's and one successor", rows, err)
		}
		owner := mustRefresh(t, e, first.RefreshToken) // the owner rotates again
		mustBeRefused(t, "the thief's replay of the raced token", refresh(e, p.RefreshToken))
		mustBeRefused(t, "the owner's newest token after the reuse", refresh(e, owner.RefreshToken))
	})
}

// TestTheSuccessorIsKeptSealedAndWipedAfterTheGrace reads the database
// behind a refresh: beside the spent token lies its successor's hash and
// the successor sealed (never its plaintext), and once the grace window
// has passed the purge wipes the sealed copy, after which a replay is reuse.
func TestTheSuccessorIsKeptSealedAndWipedAfterTheGrace(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "ria@example.com", "ria's password")
		p := mustLogin(t, e, "ria@example.com", "ria's password")
		next := mustRefresh(t, e, p.RefreshToken)
		db := e.Store.(*sqlstore.Store).DB()
		row := func() (successor, sealed []byte) {
			t.Helper()
			if err := db.QueryRow(`SELECT successor_hash, successor_sealed FROM refresh_tokens WHERE hash = $1`,
				core.HashSecret(p.RefreshToken)).Scan(&successor, &sealed); err != nil {
				t.Fatal(err)
			}
			return successor, sealed
		}
		successor, sealed := row()
		if !bytes.Equal(successor, core.HashSecret(next.RefreshToken)) || len(sealed) == 0 ||
			bytes.Contains(sealed, []byte(next.RefreshToken)) {
			t.Fatalf("beside the spent token: successor %x, sealed %q", successor, sealed)
		}
		if err := e.Srv.Identity.ForgetSuccessors(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, sealed := row(); len(sealed) == 0 {
			t.Fatal("the purge wiped a successor still inside its grace")
		}
		e.Clock.Advance(e.Config.RequestTimeout + e.Config.RefreshGrace + time.Second)
		if err := e.Srv.Identity.ForgetSuccessors(context.Background()); err != nil {
			t.Fatal(err)
		}
		if successor, sealed := row(); sealed != nil || !bytes.Equal(successor, core.HashSecret(next.RefreshToken)) {
			t.Fatalf("after the grace: successor %x, sealed %q; want the hash kept and nothing sealed", successor, sealed)
		}
		mustRefresh(t, e, next.RefreshToken) // the owner's chain goes on
	})
}

// TestWithTheGraceOffASpentTokenIsAlwaysReuse: GATEHOUSE_REFRESH_GRACE=0
// keeps no successor at all, and even an immediate retry ends the session.
func TestWithTheGraceOffASpentTokenIsAlwaysReuse(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.RefreshGrace = 0 })
	signUp(t, e, "sam@example.com", "sam's password")
	p := mustLogin(t, e, "sam@example.com", "sam's password")
	next := mustRefresh(t, e, p.RefreshToken)
	var sealed []byte
	if err := e.Store.(*sqlstore.Store).DB().QueryRow(`SELECT successor_sealed FROM refresh_tokens WHERE hash = $1`,
		core.HashSecret(p.RefreshToken)).Scan(&sealed); err != nil || sealed != nil {
		t.Fatalf("sealed successor with the grace off: %q, %v", sealed, err)
	}
	mustBeRefused(t, "an immediate retry", refresh(e, p.RefreshToken))
	mustBeRefused(t, "the family after reuse", refresh(e, next.RefreshToken))
}
