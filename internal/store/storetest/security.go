package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// securityTests check the audit log and the lockout counters
// (identity.SecurityStore).
var securityTests = []test{
	{"AuditEventsComeBackNewestFirstAndFiltered", auditList},
	{"AnAuditRowRollsBackWithItsTransaction", auditRollback},
	{"AttemptsStartAtZeroAndCount", attemptsCount},
	{"AttemptsReadsSeveralCountersInTheirOrder", attemptsMany},
	{"ConcurrentFailuresAreAllCounted", attemptsRace},
	{"PurgeForgetsOldRowsOnly", securityPurge},
}

var secT0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func auditList(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	types := []string{identity.AuditLoginFailed, identity.AuditLoginSucceeded, identity.AuditTokenRefreshed, identity.AuditLoginFailed}
	for i, typ := range types {
		actor := "anonymous"
		if i == 2 {
			actor = "admin:7"
		}
		e := identity.AuditEvent{At: secT0.Add(time.Duration(i) * time.Minute), Type: typ, Outcome: identity.AuditOK,
			UserID: int64(1 + i%2), Actor: actor, Subject: "ann@example.com", IP: "192.0.2.1", UserAgent: "ua",
			Detail: map[string]string{"n": fmt.Sprint(i)}}
		if err := st.InsertAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 {
			t.Fatal("InsertAudit left ID zero")
		}
	}
	all, total, err := st.ListAudit(ctx, identity.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 4 || len(all) != 4 || all[0].Detail["n"] != "3" || all[3].Detail["n"] != "0" {
		t.Fatalf("list: total %d, %+v", total, all)
	}
	if got := all[0]; !got.At.Equal(secT0.Add(3*time.Minute)) || got.IP != "192.0.2.1" || got.UserAgent != "ua" || got.Subject != "ann@example.com" {
		t.Fatalf("round trip: %+v", got)
	}
	cases := []struct {
		f    identity.AuditFilter
		want int
	}{
		{identity.AuditFilter{UserID: 1}, 2},
		{identity.AuditFilter{Type: identity.AuditLoginFailed}, 2},
		{identity.AuditFilter{Type: "login."}, 3},
		{identity.AuditFilter{Since: secT0.Add(time.Minute), Until: secT0.Add(3 * time.Minute)}, 2},
		{identity.AuditFilter{UserID: 1, Type: "token."}, 1},
		{identity.AuditFilter{UserID: 2, Type: "token."}, 0},
		{identity.AuditFilter{Actor: "admin:7"}, 1},
		{identity.AuditFilter{Actor: "anonymous", Type: "login."}, 3},
		{identity.AuditFilter{Actor: "admin:7", UserID: 2}, 0},
		{identity.AuditFilter{Actor: "admin:"}, 0}, // exact, not a prefix
	}
	for _, c := range cases {
		_, n, err := st.ListAudit(ctx, c.f)
		if err != nil || n != c.want {
			t.Errorf("filter %+v: %d events (%v), want %d", c.f, n, err, c.want)
		}
	}
	page, total, err := st.ListAudit(ctx, identity.AuditFilter{Limit: 2, Offset: 2})
	if err != nil || total != 4 || len(page) != 2 || page[0].Detail["n"] != "1" {
		t.Fatalf("page: %d %+v %v", total, page, err)
	}
}

func auditRollback(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	boom := fmt.Errorf("boom")
	err := st.Tx(ctx, func(tx sqlstore.Backend) error {
		if err := tx.InsertAudit(ctx, &identity.AuditEvent{At: secT0, Type: identity.AuditLoginFailed, Outcome: identity.AuditFailed}); err != nil {
			return err
		}
		if _, err := tx.UpdateAttempts(ctx, "acct:x", func(a *identity.Attempts) error { a.Failures++; return nil }); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Tx returned %v", err)
	}
	if _, n, _ := st.ListAudit(ctx, identity.AuditFilter{}); n != 0 {
		t.Fatalf("%d audit rows survived the rollback", n)
	}
	if a, _ := attemptsOf(st, "acct:x"); a.Failures != 0 {
		t.Fatalf("a counter survived the rollback: %+v", a)
	}
}

func attemptsCount(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	a, err := attemptsOf(st, "pair:ann@example.com|192.0.2.1")
	if err != nil || a.Failures != 0 || a.Key != "pair:ann@example.com|192.0.2.1" || !a.LockedUntil.IsZero() {
		t.Fatalf("absent counter: %+v %v", a, err)
	}
	for i := 1; i <= 3; i++ {
		a, err = st.UpdateAttempts(ctx, "acct:ann@example.com", func(a *identity.Attempts) error {
			if a.Failures == 0 {
				a.FirstAt = secT0
			}
			a.Failures++
			a.LastAt = secT0.Add(time.Duration(a.Failures) * time.Second)
			if a.Failures == 3 {
				a.LockedUntil = secT0.Add(time.Hour)
			}
			return nil
		})
		if err != nil || a.Failures != i {
			t.Fatalf("update %d: %+v %v", i, a, err)
		}
	}
	got, err := attemptsOf(st, "acct:ann@example.com")
	if err != nil || got.Failures != 3 || !got.FirstAt.Equal(secT0) || !got.LastAt.Equal(secT0.Add(3*time.Second)) || !got.LockedUntil.Equal(secT0.Add(time.Hour)) {
		t.Fatalf("stored: %+v %v", got, err)
	}
	if err := st.ClearAttempts(ctx, "acct:ann@example.com", "acct:nobody"); err != nil {
		t.Fatal(err)
	}
	if got, _ := attemptsOf(st, "acct:ann@example.com"); got.Failures != 0 {
		t.Fatalf("cleared counter: %+v", got)
	}
}

// attemptsRace is the lockout's safety: an attacker who fires failures in
// parallel must not slip some past the counter.
func attemptsRace(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := st.UpdateAttempts(ctx, "acct:race@example.com", func(a *identity.Attempts) error {
				a.Failures++
				a.LastAt = secT0
				return nil
			})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if a, err := attemptsOf(st, "acct:race@example.com"); err != nil || a.Failures != n {
		t.Fatalf("after %d concurrent failures the counter says %+v (%v)", n, a, err)
	}
}

func securityPurge(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	for i, at := range []time.Time{secT0, secT0.Add(48 * time.Hour)} {
		if err := st.InsertAudit(ctx, &identity.AuditEvent{At: at, Type: identity.AuditLoginFailed, Outcome: identity.AuditFailed}); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("acct:%d", i)
		if _, err := st.UpdateAttempts(ctx, key, func(a *identity.Attempts) error { a.Failures, a.LastAt = 1, at; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	// A lock that outlives its last failure keeps the counter.
	if _, err := st.UpdateAttempts(ctx, "acct:locked", func(a *identity.Attempts) error {
		a.Failures, a.LastAt, a.LockedUntil = 9, secT0, secT0.Add(72*time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.PurgeSecurity(ctx, secT0.Add(time.Hour), secT0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.ListAudit(ctx, identity.AuditFilter{}); n != 1 {
		t.Fatalf("%d audit rows after purge, want 1", n)
	}
	for key, want := range map[string]int{"acct:0": 0, "acct:1": 1, "acct:locked": 9} {
		if a, _ := attemptsOf(st, key); a.Failures != want {
			t.Errorf("%s after purge: %+v, want %d failures", key, a, want)
		}
	}
}

// attemptsOf reads the one counter of key.
func attemptsOf(st sqlstore.Backend, key string) (identity.Attempts, error) {
	list, err := st.Attempts(context.Background(), key)
	if err != nil {
		return identity.Attempts{}, err
	}
	if len(list) != 1 {
		return identity.Attempts{}, fmt.Errorf("Attempts(%q) returned %d counters", key, len(list))
	}
	return list[0], nil
}

func attemptsMany(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	for _, key := range []string{"acct:ann@example.com", "pair:ann@example.com|192.0.2.1"} {
		if _, err := st.UpdateAttempts(ctx, key, func(a *identity.Attempts) error {
			a.Failures, a.FirstAt, a.LastAt = len(key), secT0, secT0
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Attempts(ctx, "pair:ann@example.com|192.0.2.1", "acct:nobody", "acct:ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []identity.Attempts{
		{Key: "pair:ann@example.com|192.0.2.1", Failures: len("pair:ann@example.com|192.0.2.1"), FirstAt: secT0, LastAt: secT0},
		{Key: "acct:nobody"},
		{Key: "acct:ann@example.com", Failures: len("acct:ann@example.com"), FirstAt: secT0, LastAt: secT0},
	}
	same(t, "the counters in the order asked", got, want)
	if none, err := st.Attempts(ctx); err != nil || len(none) != 0 {
		t.Fatalf("Attempts of no key: %v %v", none, err)
	}
}
