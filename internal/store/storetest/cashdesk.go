package storetest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// cashdeskTests cover CashdeskStore: API keys, cashier profiles,
// developers, registers and shifts, with their races.
var cashdeskTests = []test{
	{"API keys round-trip, list newest first and are found by hash only", testAPIKeys},
	{"RevokeAPIKey keeps the first time and refuses another user's key", testRevokeAPIKey},
	{"TouchAPIKey writes at most once per interval", testTouchAPIKey},
	{"RevokeAPIKeysOf revokes and returns the user's active keys only", testRevokeAPIKeysOf},
	{"InsertAPIKey of an unknown user is ErrNotFound", func(t *testing.T, st sqlstore.Backend) {
		k := identity.APIKey{UserID: 999, Name: "x", Prefix: "ghk_x", Hash: hash("x"), Scopes: []string{}, CreatedAt: t0}
		wantErr(t, "InsertAPIKey", st.InsertAPIKey(ctx, &k), core.ErrNotFound)
	}},
	{"cashier profiles upsert and keep every field", testCashierProfile},
	{"cashier profile naming an unknown developer or user is ErrNotFound", testCashierProfileRefs},
	{"registers: fiscal numbers are unique, assignments list users", testRegisters},
	{"shifts: one open per register and per user, close once", testShifts},
	{"OpenShift has exactly one winner among racing openers of one register", testOpenShiftRace},
	{"ShiftsOf pages through the user's own shifts, newest first, with the total", testShiftsOf},
	{"deleting a user removes keys, profile, assignments and shifts", testCashdeskCascade},
}

func newAPIKey(t *testing.T, st sqlstore.Backend, userID int64, secret string, created time.Time) identity.APIKey {
	t.Helper()
	k := identity.APIKey{UserID: userID, Name: "key " + secret, Prefix: "ghk_" + secret, Hash: hash(secret),
		Scopes: []string{"cashdesk", "platform"}, CreatedAt: created}
	noErr(t, "InsertAPIKey", st.InsertAPIKey(ctx, &k))
	return k
}

func testAPIKeys(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	other := newUser(t, st, "bob@x.test")
	a := newAPIKey(t, st, u.ID, "a", t0)
	exp := at(time.Hour)
	b := identity.APIKey{UserID: u.ID, Name: "b", Prefix: "ghk_b", Hash: hash("b"), Scopes: []string{}, CreatedAt: at(time.Second), ExpiresAt: &exp}
	noErr(t, "InsertAPIKey", st.InsertAPIKey(ctx, &b))
	newAPIKey(t, st, other.ID, "c", t0)
	if a.ID == "" || b.ID == "" || a.ID == b.ID {
		t.Fatalf("ids %q %q, want two distinct filled ids", a.ID, b.ID)
	}
	got, err := st.APIKeyByHash(ctx, hash("a"))
	noErr(t, "APIKeyByHash", err)
	same(t, "key by hash", got, a)
	_, err = st.APIKeyByHash(ctx, hash("nope"))
	wantErr(t, "APIKeyByHash(unknown)", err, core.ErrNotFound)
	list, err := st.APIKeysOf(ctx, u.ID)
	noErr(t, "APIKeysOf", err)
	same(t, "keys of ann", list, []identity.APIKey{b, a})
}

func testRevokeAPIKey(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	other := newUser(t, st, "bob@x.test")
	k := newAPIKey(t, st, u.ID, "a", t0)
	wantErr(t, "RevokeAPIKey by another user", st.RevokeAPIKey(ctx, other.ID, k.ID, at(time.Minute)), core.ErrNotFound)
	noErr(t, "RevokeAPIKey", st.RevokeAPIKey(ctx, u.ID, k.ID, at(time.Minute)))
	noErr(t, "RevokeAPIKey again", st.RevokeAPIKey(ctx, u.ID, k.ID, at(time.Hour)))
	got, err := st.APIKeyByHash(ctx, hash("a"))
	noErr(t, "APIKeyByHash", err)
	same(t, "revoked at", got.RevokedAt, ptr(at(time.Minute)))
	wantErr(t, "RevokeAPIKey(unknown id)", st.RevokeAPIKey(ctx, u.ID, "00000000-0000-0000-0000-000000000000", t0), core.ErrNotFound)
}

func testRevokeAPIKeysOf(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	other := newUser(t, st, "bob@x.test")
	a := newAPIKey(t, st, u.ID, "a", t0)
	b := newAPIKey(t, st, u.ID, "b", at(time.Second))
	gone := newAPIKey(t, st, u.ID, "gone", t0)
	noErr(t, "RevokeAPIKey", st.RevokeAPIKey(ctx, u.ID, gone.ID, at(time.Minute)))
	exp := at(time.Hour)
	expired := identity.APIKey{UserID: u.ID, Name: "expired", Prefix: "ghk_e", Hash: hash("e"), Scopes: []string{}, CreatedAt: t0, ExpiresAt: &exp}
	noErr(t, "InsertAPIKey", st.InsertAPIKey(ctx, &expired))
	theirs := newAPIKey(t, st, other.ID, "c", t0)

	got, err := st.RevokeAPIKeysOf(ctx, u.ID, at(2*time.Hour))
	noErr(t, "RevokeAPIKeysOf", err)
	slices.SortFunc(got, func(x, y identity.APIKey) int { return strings.Compare(x.Name, y.Name) })
	same(t, "revoked keys as they were", got, []identity.APIKey{a, b})
	for _, k := range []identity.APIKey{a, b, gone, expired, theirs} {
		now, err := st.APIKeyByHash(ctx, k.Hash)
		noErr(t, "APIKeyByHash", err)
		var want *time.Time
		switch k.ID {
		case a.ID, b.ID:
			want = ptr(at(2 * time.Hour))
		case gone.ID:
			want = ptr(at(time.Minute)) // the first revocation stands
		}
		same(t, k.Name+" revoked at", now.RevokedAt, want)
	}
	got, err = st.RevokeAPIKeysOf(ctx, u.ID, at(3*time.Hour))
	noErr(t, "RevokeAPIKeysOf again", err)
	if len(got) != 0 {
		t.Fatalf("a second revocation returned %s", show(got))
	}
}

func testTouchAPIKey(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	k := newAPIKey(t, st, u.ID, "a", t0)
	last := func() *time.Time {
		got, err := st.APIKeyByHash(ctx, hash("a"))
		noErr(t, "APIKeyByHash", err)
		return got.LastUsedAt
	}
	noErr(t, "first touch", st.TouchAPIKey(ctx, k.ID, at(time.Second), time.Minute))
	same(t, "after first touch", last(), ptr(at(time.Second)))
	noErr(t, "touch 30 s later", st.TouchAPIKey(ctx, k.ID, at(31*time.Second), time.Minute))
	same(t, "inside the interval", last(), ptr(at(time.Second)))
	noErr(t, "touch a minute later", st.TouchAPIKey(ctx, k.ID, at(61*time.Second), time.Minute))
	same(t, "after the interval", last(), ptr(at(61*time.Second)))
}

func testCashierProfile(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	_, err := st.CashierProfile(ctx, u.ID)
	wantErr(t, "CashierProfile before any write", err, core.ErrNotFound)
	dev := cashdesk.Developer{Name: "Acme POS", CreatedAt: t0}
	noErr(t, "CreateDeveloper", st.CreateDeveloper(ctx, &dev))
	cert := &cashdesk.Certificate{DER: []byte{0x30, 1, 2}, SubjectKeyID: "88b9", Serial: "14F1", Subject: "CN=Ann",
		NotBefore: at(-time.Hour), NotAfter: at(24 * time.Hour), UploadedAt: t0}
	p, err := st.UpdateCashierProfile(ctx, u.ID, func(p *cashdesk.CashierProfile) error {
		if p.UserID != u.ID || p.Cert != nil || p.FullName != "" {
			t.Errorf("first update sees %+v, want a zero profile of the user", p)
		}
		p.FullName, p.EDRPOU, p.DRFO, p.DeveloperID, p.Cert, p.UpdatedAt = "Анна", "14360570", "3184710691", &dev.ID, cert, t0
		return nil
	})
	noErr(t, "UpdateCashierProfile", err)
	got, err := st.CashierProfile(ctx, u.ID)
	noErr(t, "CashierProfile", err)
	same(t, "stored profile", got, p)
	p, err = st.UpdateCashierProfile(ctx, u.ID, func(p *cashdesk.CashierProfile) error {
		p.Cert, p.DeveloperID, p.UpdatedAt = nil, nil, at(time.Minute)
		return nil
	})
	noErr(t, "UpdateCashierProfile (clear)", err)
	got, _ = st.CashierProfile(ctx, u.ID)
	same(t, "cleared profile", got, p)
	if got.FullName != "Анна" || got.Cert != nil {
		t.Fatalf("second update lost or kept the wrong fields: %+v", got)
	}
	devs, err := st.Developers(ctx)
	noErr(t, "Developers", err)
	same(t, "developers", devs, []cashdesk.Developer{dev})
}

func testCashierProfileRefs(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	missing := int64(12345)
	_, err := st.UpdateCashierProfile(ctx, u.ID, func(p *cashdesk.CashierProfile) error { p.DeveloperID = &missing; return nil })
	wantErr(t, "unknown developer", err, core.ErrNotFound)
	_, err = st.UpdateCashierProfile(ctx, 999, func(p *cashdesk.CashierProfile) error { return nil })
	wantErr(t, "unknown user", err, core.ErrNotFound)
	_, err = st.DeveloperByID(ctx, missing)
	wantErr(t, "DeveloperByID(unknown)", err, core.ErrNotFound)
	boom := errors.New("boom")
	_, err = st.UpdateCashierProfile(ctx, u.ID, func(p *cashdesk.CashierProfile) error { p.FullName = "x"; return boom })
	wantErr(t, "fn error", err, boom)
	if p, err := st.CashierProfile(ctx, u.ID); err == nil && p.FullName != "" {
		t.Fatalf("a failed update was written: %+v", p)
	}
}

func newRegister(t *testing.T, st sqlstore.Backend, fiscal string) cashdesk.Register {
	t.Helper()
	r := cashdesk.Register{FiscalNumber: fiscal, Name: "till " + fiscal, CreatedAt: t0}
	noErr(t, "CreateRegister", st.CreateRegister(ctx, &r))
	return r
}

func testRegisters(t *testing.T, st sqlstore.Backend) {
	ann := newUser(t, st, "ann@x.test")
	bob := newUser(t, st, "bob@x.test")
	r1 := newRegister(t, st, "4000055255")
	r2 := newRegister(t, st, "4000055256")
	dup := cashdesk.Register{FiscalNumber: "4000055255", CreatedAt: t0}
	wantErr(t, "duplicate fiscal number", st.CreateRegister(ctx, &dup), core.ErrRegisterTaken)
	noErr(t, "assign bob", st.AssignRegister(ctx, r1.ID, bob.ID))
	noErr(t, "assign ann", st.AssignRegister(ctx, r1.ID, ann.ID))
	noErr(t, "assign ann again", st.AssignRegister(ctx, r1.ID, ann.ID))
	wantErr(t, "assign unknown user", st.AssignRegister(ctx, r1.ID, 999), core.ErrNotFound)
	wantErr(t, "assign unknown register", st.AssignRegister(ctx, 999, ann.ID), core.ErrNotFound)
	got, err := st.RegisterByID(ctx, r1.ID)
	noErr(t, "RegisterByID", err)
	r1.UserIDs = []int64{ann.ID, bob.ID}
	same(t, "register 1", got, r1)
	all, err := st.Registers(ctx)
	noErr(t, "Registers", err)
	same(t, "all registers", all, []cashdesk.Register{r1, r2})
	mine, err := st.RegistersOf(ctx, ann.ID)
	noErr(t, "RegistersOf", err)
	same(t, "ann's registers", mine, []cashdesk.Register{r1})
	noErr(t, "unassign", st.UnassignRegister(ctx, r1.ID, ann.ID))
	wantErr(t, "unassign twice", st.UnassignRegister(ctx, r1.ID, ann.ID), core.ErrNotFound)
	mine, _ = st.RegistersOf(ctx, ann.ID)
	same(t, "ann's registers after unassign", mine, []cashdesk.Register{})
	_, err = st.RegisterByID(ctx, 999)
	wantErr(t, "RegisterByID(unknown)", err, core.ErrNotFound)
}

func testShifts(t *testing.T, st sqlstore.Backend) {
	ann := newUser(t, st, "ann@x.test")
	bob := newUser(t, st, "bob@x.test")
	r1, r2 := newRegister(t, st, "1"), newRegister(t, st, "2")
	_, err := st.OpenShiftOf(ctx, ann.ID)
	wantErr(t, "OpenShiftOf before any", err, core.ErrNotFound)
	s1 := cashdesk.Shift{RegisterID: r1.ID, UserID: ann.ID, OpenedAt: t0}
	noErr(t, "OpenShift", st.OpenShift(ctx, &s1))
	again := cashdesk.Shift{RegisterID: r2.ID, UserID: ann.ID, OpenedAt: t0}
	wantErr(t, "second shift of the user", st.OpenShift(ctx, &again), core.ErrShiftOpen)
	busy := cashdesk.Shift{RegisterID: r1.ID, UserID: bob.ID, OpenedAt: t0}
	wantErr(t, "second shift on the register", st.OpenShift(ctx, &busy), core.ErrShiftOpen)
	got, err := st.OpenShiftOf(ctx, ann.ID)
	noErr(t, "OpenShiftOf", err)
	same(t, "open shift", got, s1)
	_, err = st.CloseShift(ctx, bob.ID, s1.ID, at(time.Hour))
	wantErr(t, "close another's shift", err, core.ErrNotFound)
	closed, err := st.CloseShift(ctx, ann.ID, s1.ID, at(time.Hour))
	noErr(t, "CloseShift", err)
	s1.ClosedAt = ptr(at(time.Hour))
	same(t, "closed shift", closed, s1)
	_, err = st.CloseShift(ctx, ann.ID, s1.ID, at(2*time.Hour))
	wantErr(t, "close twice", err, core.ErrShiftClosed)
	_, err = st.OpenShiftOf(ctx, ann.ID)
	wantErr(t, "OpenShiftOf after close", err, core.ErrNotFound)
	next := cashdesk.Shift{RegisterID: r1.ID, UserID: bob.ID, OpenedAt: at(2 * time.Hour)}
	noErr(t, "OpenShift after close", st.OpenShift(ctx, &next))
	if next.ID == s1.ID {
		t.Fatalf("a new shift reused id %d", next.ID)
	}
	bad := cashdesk.Shift{RegisterID: 999, UserID: ann.ID, OpenedAt: t0}
	wantErr(t, "OpenShift on an unknown register", st.OpenShift(ctx, &bad), core.ErrNotFound)
}

func testShiftsOf(t *testing.T, st sqlstore.Backend) {
	ann, bob := newUser(t, st, "ann@x.test"), newUser(t, st, "bob@x.test")
	r1, r2 := newRegister(t, st, "1"), newRegister(t, st, "2")
	var want []cashdesk.Shift // ann's, newest first
	for i := range 3 {
		sh := cashdesk.Shift{RegisterID: []int64{r1.ID, r2.ID}[i%2], UserID: ann.ID, OpenedAt: at(time.Duration(i) * time.Hour)}
		noErr(t, "OpenShift", st.OpenShift(ctx, &sh))
		if i < 2 {
			closed, err := st.CloseShift(ctx, ann.ID, sh.ID, at(time.Duration(i)*time.Hour+time.Minute))
			noErr(t, "CloseShift", err)
			sh = closed
		}
		want = append([]cashdesk.Shift{sh}, want...)
	}
	// bob's shift on ann's register, between hers: not in her history.
	noErr(t, "OpenShift", st.OpenShift(ctx, &cashdesk.Shift{RegisterID: r2.ID, UserID: bob.ID, OpenedAt: at(90 * time.Minute)}))
	got, total, err := st.ShiftsOf(ctx, ann.ID, 2, 0)
	noErr(t, "ShiftsOf", err)
	if total != 3 {
		t.Fatalf("total %d, want 3", total)
	}
	same(t, "first page", got, want[:2])
	got, total, err = st.ShiftsOf(ctx, ann.ID, 2, 2)
	noErr(t, "ShiftsOf", err)
	same(t, "second page", got, want[2:])
	if total != 3 || got[0].ClosedAt == nil {
		t.Fatalf("second page: total %d, %+v", total, got)
	}
	got, total, err = st.ShiftsOf(ctx, 999, 10, 0)
	noErr(t, "ShiftsOf of a user without shifts", err)
	if total != 0 {
		t.Fatalf("a user without shifts: total %d", total)
	}
	same(t, "no shifts", got, []cashdesk.Shift{})
}

func testOpenShiftRace(t *testing.T, st sqlstore.Backend) {
	r := newRegister(t, st, "4000055255")
	users := make([]identity.User, racers)
	for i := range users {
		users[i] = newUser(t, st, "u"+string(rune('a'+i))+"@x.test")
	}
	var mu sync.Mutex
	wins, conflicts, errs := 0, 0, []error{}
	race(func(i int) {
		sh := cashdesk.Shift{RegisterID: r.ID, UserID: users[i].ID, OpenedAt: t0}
		err := st.OpenShift(ctx, &sh)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			wins++
		case errors.Is(err, core.ErrShiftOpen):
			conflicts++
		default:
			errs = append(errs, err)
		}
	})
	if wins != 1 || conflicts != racers-1 || len(errs) > 0 {
		t.Fatalf("%d opened, %d ErrShiftOpen (want 1 and %d), other errors: %v", wins, conflicts, racers-1, errs)
	}
}

func testCashdeskCascade(t *testing.T, st sqlstore.Backend) {
	u := newUser(t, st, "ann@x.test")
	r := newRegister(t, st, "1")
	newAPIKey(t, st, u.ID, "a", t0)
	noErr(t, "AssignRegister", st.AssignRegister(ctx, r.ID, u.ID))
	noErr(t, "OpenShift", st.OpenShift(ctx, &cashdesk.Shift{RegisterID: r.ID, UserID: u.ID, OpenedAt: t0}))
	_, err := st.UpdateCashierProfile(ctx, u.ID, func(p *cashdesk.CashierProfile) error { p.FullName = "Ann"; return nil })
	noErr(t, "UpdateCashierProfile", err)
	noErr(t, "DeleteUser", st.DeleteUser(ctx, u.ID))
	_, err = st.APIKeyByHash(ctx, hash("a"))
	wantErr(t, "key after delete", err, core.ErrNotFound)
	_, err = st.CashierProfile(ctx, u.ID)
	wantErr(t, "profile after delete", err, core.ErrNotFound)
	got, err := st.RegisterByID(ctx, r.ID)
	noErr(t, "RegisterByID", err)
	same(t, "register users after delete", got.UserIDs, []int64{})
	other := newUser(t, st, "bob@x.test")
	noErr(t, "the register is free again", st.OpenShift(ctx, &cashdesk.Shift{RegisterID: r.ID, UserID: other.ID, OpenedAt: t0}))
}
