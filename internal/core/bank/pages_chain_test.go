package bank_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The chain run on the hosted pages' web sessions (bank.Pages), on a real
// SQLite store: the same steps as the bank door, on sessions of door web.

var webSpec = identity.SessionSpec{Door: identity.WebDoor, UserAgent: "test browser", IP: "192.0.2.7", AMR: []string{"pwd"}}

func principal(l bank.Login) identity.Principal {
	return identity.Principal{User: l.User, Session: l.Pair.Session}
}

// mailedCode is the newest code mailed to ann.
func (f *fixture) mailedCode(t *testing.T) string {
	t.Helper()
	code := ""
	for _, m := range f.e.Flush(t) {
		if m.To == "ann@example.com" {
			if c := codeRe.FindStringSubmatch(m.Msg.Text); c != nil {
				code = c[1]
			}
		}
	}
	if code == "" {
		t.Fatal("no code was mailed")
	}
	return code
}

func TestThePagesRunTheChainOnAWebSessionThatEndsCompleteWithItsCustomerAndAMR(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := f.e.Bank.StartChain(ctx, bank.Pages, "ann@example.com", "ann's password 1", webSpec, "browser-1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Complete || l.Pair.Session.Door != identity.WebDoor || l.Pair.Session.ClientID != "" || len(l.Customers) != 1 {
		t.Fatalf("after the password: complete %v, door %q, client %q, customers %v", l.Complete, l.Pair.Session.Door, l.Pair.Session.ClientID, l.Customers)
	}
	// The pending session is found by its secret as a step, never as a signed-in browser.
	if _, err := f.e.Identity.SessionBySecret(ctx, identity.WebDoor, l.Pair.Refresh); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("a pending web session signs a browser in: %v", err)
	}
	step, err := f.e.Identity.StepBySecret(ctx, identity.WebDoor, l.Pair.Refresh)
	if err != nil || step.Session.ID != l.Pair.Session.ID {
		t.Fatalf("the step by its secret: %v", err)
	}
	// A web step is no bank step, and the other way round.
	if _, err := f.e.Bank.SelectCustomer(ctx, step, bank.Client{ID: bank.DefaultClientID}, 777, ""); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("the bank door took a web step: %v", err)
	}

	l, err = f.e.Bank.Choose(ctx, bank.Pages, step, 777, "browser-1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Complete || !slices.Equal(l.NextFactors(), []string{bank.FactorEmail}) || l.SentTo(bank.FactorEmail) != "a***@example.com" {
		t.Fatalf("after the customer: complete %v, next %v, sent to %q", l.Complete, l.NextFactors(), l.SentTo(bank.FactorEmail))
	}
	if _, err := f.e.Bank.Send(ctx, bank.Pages, principal(l), bank.FactorEmail); err != nil {
		t.Fatal(err)
	}
	code := f.mailedCode(t)
	if _, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorEmail, "000000", "browser-1"); !errors.Is(err, core.ErrOTPInvalid) {
		t.Fatalf("a wrong code: %v", err)
	}
	done, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorEmail, code, "browser-1")
	if err != nil {
		t.Fatal(err)
	}
	if !done.Complete || done.State.CustomerID != 777 || done.State.RoleCode != "SIGNER" {
		t.Fatalf("after the code: complete %v, state %+v", done.Complete, done.State)
	}
	if got := identity.AMR(done.Pair.Session); !slices.Equal(got, []string{"pwd", "otp", "mfa"}) {
		t.Fatalf("amr %v, want pwd otp mfa", got)
	}
	signed, err := f.e.Identity.SessionBySecret(ctx, identity.WebDoor, done.Pair.Refresh)
	if err != nil || signed.Session.ID != done.Pair.Session.ID || bank.StateOf(signed.Session).CustomerID != 777 {
		t.Fatalf("the complete web session by its cookie: %v", err)
	}
	// The earlier steps are spent.
	if _, err := f.e.Identity.StepBySecret(ctx, identity.WebDoor, l.Pair.Refresh); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("an earlier step still works: %v", err)
	}
}

func TestOnThePagesAWrongCodeCountsTowardTheLockoutAsOnTheBankDoor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := f.e.Bank.StartChain(ctx, bank.Pages, "ann@example.com", "ann's password 1", webSpec, "")
	if err != nil {
		t.Fatal(err)
	}
	if l, err = f.e.Bank.Choose(ctx, bank.Pages, principal(l), 777, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.Send(ctx, bank.Pages, principal(l), bank.FactorEmail); err != nil {
		t.Fatal(err)
	}
	code := f.mailedCode(t)
	threshold := f.e.Identity.Security.PairThreshold
	for range threshold {
		if _, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorEmail, "000000", ""); !errors.Is(err, core.ErrOTPInvalid) && !errors.Is(err, core.ErrOTPAttempts) {
			t.Fatalf("a wrong code: %v", err)
		}
	}
	if _, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorEmail, code, ""); core.KindOf(err) != core.KindRateLimited {
		t.Fatalf("the right code after %d wrong ones: %v, want the lockout's backoff", threshold, err)
	}
}

func TestAnAccountWithoutCustomersSignsInOnThePagesAsOnTheJSONDoors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.e.Identity.AdminCreateUser(ctx, identity.Registration{Email: "bob@example.com", Password: "bob's password 1"}, true, nil); err != nil {
		t.Fatal(err)
	}
	l, err := f.e.Bank.StartChain(ctx, bank.Pages, "bob@example.com", "bob's password 1", webSpec, "")
	if err != nil || !l.Complete || l.Pair.Session.Pending || l.Pair.Session.Door != identity.WebDoor {
		t.Fatalf("a sign-in without customers: %v, complete %v", err, l.Complete)
	}
	if _, err := f.e.Bank.StartChain(ctx, bank.Pages, "bob@example.com", "wrong", webSpec, ""); !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("a wrong password: %v", err)
	}
	if _, err := f.e.Bank.StartChain(ctx, bank.ByClient(bank.Client{ID: bank.DefaultClientID}), "bob@example.com", "bob's password 1", webSpec, ""); !errors.Is(err, core.ErrUnauthorizedClient) {
		t.Fatalf("StartChain for the bank door: %v", err)
	}
}

func TestATrustedBrowserSkipsTheChainWhereTheRoleAllows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	role, err := f.e.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "DIRECTOR", Chains: [][]string{{bank.FactorEmail}}, DeviceSkip: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.CreateCustomer(ctx, bank.Customer{ID: 888, Name: "Skip LLP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.SetMembership(ctx, f.user.ID, 888, role.ID); err != nil {
		t.Fatal(err)
	}
	signIn := func(customer int64) bank.Login {
		t.Helper()
		l, err := f.e.Bank.StartChain(ctx, bank.Pages, "ann@example.com", "ann's password 1", webSpec, "browser-2")
		if err != nil {
			t.Fatal(err)
		}
		if l, err = f.e.Bank.Choose(ctx, bank.Pages, principal(l), customer, "browser-2"); err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := signIn(888)
	if l.CanSkip {
		t.Fatal("an untrusted browser may skip")
	}
	if _, err := f.e.Bank.TrustDevice(ctx, principal(l), "browser-2", "test browser"); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("a pending session trusted its device: %v", err)
	}
	if _, err := f.e.Bank.Send(ctx, bank.Pages, principal(l), bank.FactorEmail); err != nil {
		t.Fatal(err)
	}
	done, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorEmail, f.mailedCode(t), "browser-2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.TrustDevice(ctx, principal(done), "another browser", "x"); err == nil {
		t.Fatal("a complete session trusted another device than its own")
	}
	if _, err := f.e.Bank.TrustDevice(ctx, principal(done), "browser-2", "test browser"); err != nil {
		t.Fatal(err)
	}
	l = signIn(888)
	if !l.CanSkip {
		t.Fatal("the trusted browser may not skip")
	}
	skipped, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorDevice, "", "browser-2")
	if err != nil || !skipped.Complete || skipped.State.ChainType != bank.FactorDevice {
		t.Fatalf("the skip: %v, %+v", err, skipped.State)
	}
	if got := identity.AMR(skipped.Pair.Session); !slices.Equal(got, []string{"pwd"}) {
		t.Fatalf("a skipped chain claims amr %v, want pwd only", got)
	}
	// SIGNER does not allow skipping: the trusted browser passes its chain.
	if l := signIn(777); l.CanSkip {
		t.Fatal("a role without device_skip may be skipped")
	}
}

func TestTheRequiredActionEnrolsAnAuthenticatorWithTheStepAndItsFirstCodePassesTOTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	role, err := f.e.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "TOTPONLY", Chains: [][]string{{bank.FactorTOTP}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.CreateCustomer(ctx, bank.Customer{ID: 999, Name: "TOTP LLP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.SetMembership(ctx, f.user.ID, 999, role.ID); err != nil {
		t.Fatal(err)
	}
	l, err := f.e.Bank.StartChain(ctx, bank.Pages, "ann@example.com", "ann's password 1", webSpec, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Bank.BeginRequiredTOTP(ctx, bank.Pages, principal(l)); !errors.Is(err, core.ErrAuthIncomplete) {
		t.Fatalf("an enrolment before a customer is chosen: %v", err)
	}
	if l, err = f.e.Bank.Choose(ctx, bank.Pages, principal(l), 999, ""); err != nil {
		t.Fatal(err)
	}
	if l.RequiredAction != bank.ActionConfigureTOTP || !slices.Equal(l.NextFactors(), []string{bank.FactorTOTP}) {
		t.Fatalf("required action %q, next %v", l.RequiredAction, l.NextFactors())
	}
	if _, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorTOTP, "123456", ""); !errors.Is(err, core.ErrWrongStep) {
		t.Fatalf("TOTP before the enrolment began: %v", err)
	}
	e, err := f.e.Bank.BeginRequiredTOTP(ctx, bank.Pages, principal(l))
	if err != nil || !strings.HasPrefix(e.URL, "otpauth://totp/") {
		t.Fatalf("the enrolment: %v %q", err, e.URL)
	}
	if _, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorTOTP, "000000", ""); !errors.Is(err, core.ErrOTPInvalid) {
		t.Fatalf("a wrong first code: %v", err)
	}
	code, err := totp.GenerateCode(e.Secret, f.e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	done, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorTOTP, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if !done.Complete || done.State.ChainType != bank.FactorTOTP || len(done.RecoveryCodes) == 0 || done.RequiredAction != "" {
		t.Fatalf("after the first code: complete %v, chain %q, %d recovery codes, action %q", done.Complete, done.State.ChainType, len(done.RecoveryCodes), done.RequiredAction)
	}
	if ok, err := f.e.Factors.TOTPConfirmed(ctx, f.user.ID); err != nil || !ok {
		t.Fatalf("the authenticator is not confirmed: %v", err)
	}
	// The next sign-in passes the authenticator as any TOTP chain, and its code of the same step is spent.
	l, err = f.e.Bank.StartChain(ctx, bank.Pages, "ann@example.com", "ann's password 1", webSpec, "")
	if err != nil {
		t.Fatal(err)
	}
	if l, err = f.e.Bank.Choose(ctx, bank.Pages, principal(l), 999, ""); err != nil || l.RequiredAction != "" {
		t.Fatalf("step 2 after the enrolment: %v, action %q", err, l.RequiredAction)
	}
	if _, err := f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorTOTP, code, ""); !errors.Is(err, core.ErrOTPInvalid) {
		t.Fatalf("the enrolment's code again: %v", err)
	}
	f.e.Clock.Advance(30 * time.Second)
	code, _ = totp.GenerateCode(e.Secret, f.e.Clock.Now())
	if l, err = f.e.Bank.Pass(ctx, bank.Pages, principal(l), bank.FactorTOTP, code, ""); err != nil || !l.Complete {
		t.Fatalf("the next code: %v", err)
	}
}
