package bank_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The bank's sign-in, called as the door calls it, on a real SQLite store.

type fixture struct {
	e    *coretest.Env
	user identity.User
	pub  *rsa.PublicKey
}

// newFixture makes ann a bank user of customer 777 whose role asks for an
// e-mail code.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	e := coretest.New(t)
	ctx := context.Background()
	u, err := e.Identity.AdminCreateUser(ctx, identity.Registration{Email: "ann@example.com", Password: "ann's password 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.SetBankProfile(ctx, bank.Profile{UserID: u.ID, IIN: annIIN()}); err != nil {
		t.Fatal(err)
	}
	role, err := e.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "SIGNER", Chains: [][]string{{bank.FactorEmail}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.CreateCustomer(ctx, bank.Customer{ID: 777, Name: "Test LLP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.SetMembership(ctx, u.ID, 777, role.ID); err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(e.App.Credential.PublicPEM())
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{e: e, user: u, pub: pub.(*rsa.PublicKey)}
}

func (f *fixture) enc(t testing.TB, s string) string {
	t.Helper()
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, f.pub, []byte(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

func (f *fixture) grant(username, password string) bank.PasswordGrant {
	return bank.PasswordGrant{Client: bank.ClientAuth{Named: bank.DefaultClientID, ID: bank.DefaultClientID},
		UserType: bank.UserTypeCustomer, Username: username, Password: password}
}

func TestStepOneSignsInWithEncryptedCredentialsAndRefusesTheirReplay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g := f.grant(f.enc(t, "ann@example.com"), f.enc(t, "ann's password 1"))
	l, err := f.e.Bank.SignIn(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if l.Complete || l.State.Role() != bank.RoleAnonymous || len(l.Customers) != 1 || l.Customers[0].ID != 777 {
		t.Fatalf("step 1: %+v", l)
	}
	// The same ciphertexts again: a replay, judged as a wrong password.
	if _, err := f.e.Bank.SignIn(ctx, g); !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("a replayed ciphertext: %v, want ErrInvalidCredentials", err)
	}
	// By IIN, freshly encrypted: the same account.
	if l, err := f.e.Bank.SignIn(ctx, f.grant(f.enc(t, annIIN()), f.enc(t, "ann's password 1"))); err != nil || l.User.ID != f.user.ID {
		t.Fatalf("by IIN: %v, user %d", err, l.User.ID)
	}
	// Not a ciphertext at all: a wrong password, not a padding oracle.
	if _, err := f.e.Bank.SignIn(ctx, f.grant("bm90LWEtY2lwaGVydGV4dA", f.enc(t, "ann's password 1"))); !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("an undecryptable username: %v, want ErrInvalidCredentials", err)
	}
}

func TestTheClientIsAuthenticatedBeforeTheCredentialsAreLookedAt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g := f.grant(f.enc(t, "ann@example.com"), f.enc(t, "ann's password 1"))
	g.Client.Secret = "a public client has none"
	if _, err := f.e.Bank.SignIn(ctx, g); !errors.Is(err, core.ErrInvalidClient) {
		t.Fatalf("a public client with a secret: %v, want ErrInvalidClient", err)
	}
	// The refused request did not spend its ciphertext: the same one works.
	g.Client.Secret = ""
	if _, err := f.e.Bank.SignIn(ctx, g); err != nil {
		t.Fatalf("the same credentials with the right client: %v", err)
	}
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

func TestAChainCompletesWhenEachFactorOfOneOfItsChainsIsPassed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := f.e.Bank.SignIn(ctx, f.grant(f.enc(t, "ann@example.com"), f.enc(t, "ann's password 1")))
	if err != nil {
		t.Fatal(err)
	}
	client, err := f.e.Bank.AuthenticateClient(ctx, bank.ClientAuth{ID: bank.DefaultClientID})
	if err != nil {
		t.Fatal(err)
	}
	step := func(access string) identity.Principal {
		t.Helper()
		s, err := f.e.Bank.Step(ctx, access, bank.ClientAuth{}, true)
		if err != nil {
			t.Fatal(err)
		}
		return s.Principal
	}
	l, err = f.e.Bank.SelectCustomer(ctx, step(l.Pair.Access), client, 777, "")
	if err != nil || l.Complete || l.OTPStrategy != "EMAIL" {
		t.Fatalf("step 2: %+v %v", l, err)
	}
	p2 := step(l.Pair.Access)
	if _, err := f.e.Bank.PassFactor(ctx, p2, client, bank.FactorEmail, "000000", ""); !errors.Is(err, core.ErrOTPInvalid) {
		t.Fatalf("a code before any was sent: %v, want ErrOTPInvalid", err)
	}
	if _, err := f.e.Bank.SendOTP(ctx, p2, client, bank.FactorEmail); err != nil {
		t.Fatal(err)
	}
	var code string
	for _, m := range f.e.Flush(t) {
		if m.To == "ann@example.com" && strings.Contains(m.Msg.Text, "code") {
			if c := codeRe.FindStringSubmatch(m.Msg.Text); c != nil {
				code = c[1]
			}
		}
	}
	if code == "" {
		t.Fatal("no code was mailed")
	}
	l, err = f.e.Bank.PassFactor(ctx, p2, client, bank.FactorEmail, code, "")
	if err != nil || !l.Complete || l.State.ChainType != bank.FactorEmail {
		t.Fatalf("step 3: %+v %v", l, err)
	}
	// Step 2's session was taken over by step 3: the same step again opens
	// nothing, whatever the code.
	if _, err := f.e.Bank.PassFactor(ctx, p2, client, bank.FactorEmail, code, ""); err == nil {
		t.Fatal("step 3 ran twice on one step-2 session")
	}
}

// annIIN is the first valid IIN of a person born on 1990-01-01.
func annIIN() string {
	for n := 0; ; n++ {
		if s := fmt.Sprintf("9001013%05d", n); bank.ValidIIN(s) {
			return s
		}
	}
}
