package server_test

import (
	"context"
	"net"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// faultStore fails the next EnqueueMail when armed: a database that dies in
// the middle of a transaction (after the user row, before the mail).
type faultStore struct {
	sqlstore.Backend
	armed *atomic.Bool
	fail  func() error
}

func (f faultStore) Tx(ctx context.Context, fn func(sqlstore.Backend) error) error {
	return f.Backend.Tx(ctx, func(tx sqlstore.Backend) error { return fn(faultStore{tx, f.armed, f.fail}) })
}

func (f faultStore) EnqueueMail(ctx context.Context, m *outbox.Message) error {
	if f.armed.CompareAndSwap(true, false) {
		if err := f.fail(); err != nil {
			return err
		}
	}
	return f.Backend.EnqueueMail(ctx, m)
}

// OpenSession queues a sign-in's mail with the rest, when it has one: when
// armed, an opening that wrote a mail then fails (failedOpening).
func (f faultStore) OpenSession(ctx context.Context, o *identity.SessionOpening) (bool, error) {
	return failedOpening(ctx, f.Backend, o, func(newDevice bool) error {
		if (newDevice || o.Mail != nil) && f.armed.CompareAndSwap(true, false) {
			return f.fail()
		}
		return nil
	})
}

// drainPool stands in for time passing. pgx pings a pooled connection
// idle for over a second before reusing it, so after a real outage the
// connections cut during it are dropped unnoticed; a test that restores
// the database within milliseconds closes them itself.
func drainPool(e *testenv.Env) {
	st := e.Store
	if f, ok := st.(faultStore); ok {
		st = f.Backend
	}
	if s, ok := st.(*sqlstore.Store); ok {
		s.DB().SetMaxIdleConns(0)
		s.DB().SetMaxIdleConns(10)
	}
}

func assert503(t *testing.T, what string, r *testenv.Response) {
	t.Helper()
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("%s: %d Retry-After %q, want 503 with Retry-After: %s", what, r.Status, r.Header.Get("Retry-After"), r.Body)
	}
}

// viaProxy routes the PostgreSQL connections of the environment through p.
func viaProxy(p **testenv.Proxy, t *testing.T) func(*config.Config) {
	return func(c *config.Config) {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		*p = testenv.StartProxy(t, u.Host)
		u.Host = (*p).Addr
		c.DatabaseURL = u.String()
	}
}

func TestAnUnreachableDatabaseAnswers503AndServiceReturnsWithIt(t *testing.T) {
	var proxy *testenv.Proxy
	e := newEnv(t, testenv.Postgres, viaProxy(&proxy, t))
	signUp(t, e, "fay@example.com", "fay's password")
	mustLogin(t, e, "fay@example.com", "fay's password")

	proxy.Cut()
	assert503(t, "login", loginAs(e, "fay@example.com", "fay's password"))
	assert503(t, "register", e.Do("POST", "/v1/user", map[string]string{"login": "gus@example.com", "password": "gus's password"}))
	assert503(t, "restore", e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "fay@example.com"}))
	e.Srv.Health.Refresh(context.Background()) // /status answers from the state the background check keeps
	assert503(t, "status", e.Do("GET", "/status", nil))

	proxy.Restore()
	drainPool(e)
	mustLogin(t, e, "fay@example.com", "fay's password")
	if r := e.Do("GET", "/v1/user/address/exists?email=gus@example.com", nil); r.Map(t)["exist"] != false {
		t.Fatal("the refused registration left an account")
	}
}

func TestADatabaseFailingMidRequestLeavesNoHalfWrittenState(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		armed := &atomic.Bool{}
		var proxy *testenv.Proxy
		fail := func() error { // SQLite: a synthetic network failure
			return &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
		}
		edit := func(*config.Config) {}
		if b == testenv.Postgres {
			edit = viaProxy(&proxy, t)
			fail = func() error { proxy.Cut(); return nil } // the real thing: the connection dies under the transaction
		}
		e := newEnv(t, b, func(c *config.Config) { edit(c); c.MailResendInterval = 0 },
			func(o *testenv.Options) {
				o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return faultStore{s, armed, fail} }
			})
		restore := func() {
			if proxy != nil {
				proxy.Restore()
				drainPool(e)
			}
		}

		// Registration: the user row was written, then the database failed.
		armed.Store(true)
		assert503(t, "register", e.Do("POST", "/v1/user", map[string]string{"login": "hal@example.com", "password": "hal's password"}))
		restore()
		if r := e.Do("GET", "/v1/user/address/exists?email=hal@example.com", nil); r.Map(t)["exist"] != false {
			t.Fatalf("half a registration survived: %s", r.Body)
		}
		if ev := auditEvents(t, e, "&type=account.registered"); len(ev) != 0 {
			t.Fatalf("an audit row without its change: %v", ev)
		}

		// Reset: the password and the token's use were written, then the failure.
		signUp(t, e, "ida@example.com", "ida's password")
		e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "ida@example.com"})
		token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
		armed.Store(true)
		assert503(t, "reset", e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "ida's new password"}))
		restore()
		mustLogin(t, e, "ida@example.com", "ida's password") // the old password still holds
		if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "ida's new password"}); r.Status != 200 {
			t.Fatalf("the token was spent by a rolled-back reset: %d %s", r.Status, r.Body)
		}
		mustLogin(t, e, "ida@example.com", "ida's new password")
	})
}

func TestWithSMTPDownTheRequestSucceedsAndTheMailArrivesLater(t *testing.T) {
	var smtp *testenv.Proxy
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		u, _ := url.Parse(c.SMTPURL)
		smtp = testenv.StartProxy(t, u.Host)
		c.SMTPURL = "smtp://" + smtp.Addr
	})
	smtp.Cut()
	if r := e.Do("POST", "/v1/user", map[string]string{"login": "jo@example.com", "password": "jo's password"}); r.Status != 201 {
		t.Fatalf("register with SMTP down: %d %s", r.Status, r.Body)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ { // attempts fail and are rescheduled, nothing is lost
		if err := e.Srv.FlushMail(ctx); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute * time.Duration(1<<i))
	}
	e.Mail.None(t)
	smtp.Restore()
	e.Clock.Advance(2 * time.Hour) // past any backoff
	if err := e.Srv.FlushMail(ctx); err != nil {
		t.Fatal(err)
	}
	m := e.Mail.Next(t, testenv.MailTimeout)
	if m.To != "jo@example.com" {
		t.Fatalf("mail to %s", m.To)
	}
	if r := e.Do("GET", "/v1/user/confirm/"+m.Secret(t), nil); r.Status != 200 {
		t.Fatalf("the late code does not confirm: %d", r.Status)
	}
}
