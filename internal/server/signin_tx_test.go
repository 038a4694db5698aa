package server_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// touchFault fails the next write of a user's last-seen time when armed: a
// database that dies in the middle of a sign-in's transaction.
type touchFault struct {
	sqlstore.Backend
	armed *atomic.Bool
}

func (f touchFault) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	return f.Backend.Tx(ctx, func(tx sqlstore.Backend) error { return fn(touchFault{tx, f.armed}) })
}

func (f touchFault) TouchUser(ctx context.Context, id int64, at time.Time) error {
	if f.armed.CompareAndSwap(true, false) {
		return &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
	}
	return f.Backend.TouchUser(ctx, id, at)
}

// OpenSession is a sign-in's one write, which touches the user too: when
// armed, it is written and then fails (failedOpening).
func (f touchFault) OpenSession(ctx context.Context, o *identity.SessionOpening) (bool, error) {
	return failedOpening(ctx, f.Backend, o, func(bool) error {
		if f.armed.CompareAndSwap(true, false) {
			return &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
		}
		return nil
	})
}

// failedOpening writes o through b in a transaction that fault, told
// whether the new-device mail was queued, may then fail: a database that
// dies in the middle of a sign-in's one write (on PostgreSQL one
// statement, which the test cannot cut in two) leaves what a failed
// statement leaves, nothing.
func failedOpening(ctx context.Context, b sqlstore.Backend, o *identity.SessionOpening, fault func(newDevice bool) error) (newDevice bool, err error) {
	err = b.Tx(ctx, func(tx sqlstore.Backend) (err error) {
		if newDevice, err = tx.OpenSession(ctx, o); err != nil {
			return err
		}
		return fault(newDevice)
	})
	return newDevice, err
}

// Every door opens a session in one place, in one transaction with
// everything the sign-in writes: when any of it fails, no session exists
// and the client is told to retry, on the platform door as on each step of
// the bank door's chain.
func TestASignInWhoseTransactionFailsLeavesNoSessionOnEveryDoor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		armed := &atomic.Bool{}
		e := newEnv(t, b, nil, func(o *testenv.Options) {
			o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return touchFault{s, armed} }
		})
		signUp(t, e, "ann@example.com", "ann's password 1")
		armed.Store(true)
		assert503(t, "platform login", loginAs(e, "ann@example.com", "ann's password 1"))
		ann := mustLogin(t, e, "ann@example.com", "ann's password 1")
		if n := len(sessionsOf(t, e, ann.AccessToken)); n != 1 {
			t.Fatalf("platform: %d sessions after a failed and a good login, want 1", n)
		}

		bf := newBankUser(t, e, "bob@example.com", "bob's password 1")
		armed.Store(true)
		assert503(t, "bank step 1", bf.step1(t, "bob@example.com", "bob's password 1"))
		s1 := accessOf(t, bf.step1(t, "bob@example.com", "bob's password 1"))
		armed.Store(true)
		assert503(t, "bank step 2", bf.grant(s1, customerStep()))
		// The failed step changed nothing: the step-1 token still works.
		accessOf(t, bf.grant(s1, customerStep()))
	})
}

// sessionsOf lists the active sessions of the token's user.
func sessionsOf(t *testing.T, e *testenv.Env, access string) []map[string]any {
	t.Helper()
	var sessions []map[string]any
	if r := e.Do("GET", "/v1/user/sessions", nil, bearer(access)...); r.Status != 200 {
		t.Fatalf("sessions: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &sessions)
	}
	return sessions
}

// customerStep is step 2 of the bank door for the fixture's customer.
func customerStep() url.Values {
	return url.Values{"grant_type": {"customer"}, "customer_id": {fmt.Sprint(bankCustomer)}}
}
