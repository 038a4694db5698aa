package cashdesk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

func cashier(t *testing.T, e *coretest.Env, email string) identity.User {
	t.Helper()
	u, err := e.Identity.AdminCreateUser(context.Background(), identity.Registration{Email: email, Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAShiftOpensOnlyOnARegisterOfTheCashierAndOneAtATime(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	ann, bob := cashier(t, e, "ann@example.com"), cashier(t, e, "bob@example.com")
	r1, err := e.Cashdesk.CreateRegister(ctx, "4000001", "till 1")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := e.Cashdesk.CreateRegister(ctx, "4000002", "till 2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Cashdesk.OpenShift(ctx, ann.ID, r1.ID); !errors.Is(err, core.ErrRegisterNotAssigned) {
		t.Fatalf("a register not assigned: %v, want ErrRegisterNotAssigned", err)
	}
	if _, err := e.Cashdesk.OpenShift(ctx, ann.ID, 999); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("no such register: %v, want ErrNotFound", err)
	}
	for _, a := range []struct{ reg, user int64 }{{r1.ID, ann.ID}, {r2.ID, ann.ID}, {r1.ID, bob.ID}} {
		if _, err := e.Cashdesk.AssignRegister(ctx, a.reg, a.user); err != nil {
			t.Fatal(err)
		}
	}
	sh, err := e.Cashdesk.OpenShift(ctx, ann.ID, r1.ID)
	if err != nil || sh.ClosedAt != nil {
		t.Fatalf("open: %+v %v", sh, err)
	}
	if _, err := e.Cashdesk.OpenShift(ctx, ann.ID, r2.ID); !errors.Is(err, core.ErrShiftOpen) {
		t.Fatalf("a second shift of the cashier: %v, want ErrShiftOpen", err)
	}
	if _, err := e.Cashdesk.OpenShift(ctx, bob.ID, r1.ID); !errors.Is(err, core.ErrShiftOpen) {
		t.Fatalf("a second shift on the register: %v, want ErrShiftOpen", err)
	}
	if _, err := e.Cashdesk.CloseShift(ctx, bob.ID, sh.ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("another cashier closes it: %v, want ErrNotFound", err)
	}
	closed, err := e.Cashdesk.CloseShift(ctx, ann.ID, sh.ID)
	if err != nil || closed.ClosedAt == nil {
		t.Fatalf("close: %+v %v", closed, err)
	}
	if _, err := e.Cashdesk.CloseShift(ctx, ann.ID, sh.ID); !errors.Is(err, core.ErrShiftClosed) {
		t.Fatalf("closed twice: %v, want ErrShiftClosed", err)
	}
	if _, err := e.Cashdesk.OpenShift(ctx, bob.ID, r1.ID); err != nil {
		t.Fatalf("the register is free again: %v", err)
	}
}

func TestAnUnassignedRegisterKeepsItsOpenShiftUntilTheCashierClosesIt(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	ann := cashier(t, e, "ann@example.com")
	r, _ := e.Cashdesk.CreateRegister(ctx, "4000003", "")
	if _, err := e.Cashdesk.AssignRegister(ctx, r.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	sh, err := e.Cashdesk.OpenShift(ctx, ann.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Cashdesk.UnassignRegister(ctx, r.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	st, err := e.Cashdesk.CashierState(ctx, ann.ID)
	if err != nil || st.OpenShift == nil || st.OpenShift.ID != sh.ID || st.ActiveRRO {
		t.Fatalf("state after unassigning: %+v %v", st, err)
	}
	if _, err := e.Cashdesk.CloseShift(ctx, ann.ID, sh.ID); err != nil {
		t.Fatalf("the shift is a fiscal fact, closed by its cashier: %v", err)
	}
}

func TestTaxIDsAreCheckedAndOnlyTheFieldsSentChange(t *testing.T) {
	e := coretest.New(t)
	ctx := context.Background()
	ann := cashier(t, e, "ann@example.com")
	bad := "12345670" // 12345678 is valid: the check digit is wrong
	if _, err := e.Cashdesk.UpdateCashier(ctx, ann.ID, cashdeskUpdate(nil, &bad, nil)); core.KindOf(err) != core.KindInvalid {
		t.Fatalf("an EDRPOU with a wrong check digit: %v", err)
	}
	name := "Ann Example"
	p, err := e.Cashdesk.UpdateCashier(ctx, ann.ID, cashdeskUpdate(&name, nil, nil))
	if err != nil || p.FullName != name || p.EDRPOU != "" {
		t.Fatalf("update: %+v %v", p, err)
	}
	if got, _ := e.Cashdesk.Cashier(ctx, ann.ID); got.FullName != name {
		t.Fatalf("stored %+v", got)
	}
}
