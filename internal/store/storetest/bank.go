package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The bank door's storage (bank.Records): clients, customers, roles,
// memberships, profiles, devices, TOTP, one-time codes, ciphertext hashes.

func newCustomerRole(t *testing.T, st sqlstore.Backend, code string, chains [][]string) bank.CustomerRole {
	t.Helper()
	r := bank.CustomerRole{Code: code, Name: code, Chains: chains, DeviceSkip: true, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	noErr(t, "CreateCustomerRole", st.CreateCustomerRole(ctx, &r))
	return r
}

func newCustomer(t *testing.T, st sqlstore.Backend, id int64, name string) bank.Customer {
	t.Helper()
	c := bank.Customer{ID: id, Name: name, CreatedAt: t0, UpdatedAt: t0}
	noErr(t, "CreateCustomer", st.CreateCustomer(ctx, &c))
	return c
}

func newOTP(t *testing.T, st sqlstore.Backend, s identity.Session, code string, max int) {
	t.Helper()
	c := bank.OTPChallenge{SessionID: s.ID, Factor: bank.FactorSMS, CodeHash: hash(code), Destination: "+77010000000",
		MaxAttempts: max, Sends: 1, CreatedAt: t0, ExpiresAt: at(5 * time.Minute)}
	noErr(t, "PutOTP", st.PutOTP(ctx, &c))
}

var bankTests = []test{
	{"clients round-trip, conflict on a taken id, update and delete", func(t *testing.T, st sqlstore.Backend) {
		c := bank.Client{ID: "WEB", Name: "web", GrantTypes: []string{"password"}, UserTypes: []string{"customer"},
			AccessTTL: 900 * time.Second, Origins: []string{"https://bank.test"}, CreatedAt: t0, UpdatedAt: t0}
		noErr(t, "CreateClient", st.CreateClient(ctx, &c))
		wantErr(t, "CreateClient again", st.CreateClient(ctx, &c), core.ErrExists)
		got, err := st.ClientByID(ctx, "WEB")
		noErr(t, "ClientByID", err)
		same(t, "client", got, c)
		if !got.Public() {
			t.Fatal("a client without a secret hash is not public")
		}
		up, err := st.UpdateClient(ctx, "WEB", func(x *bank.Client) error { x.SecretHash = hash("s"); return nil })
		noErr(t, "UpdateClient", err)
		got, _ = st.ClientByID(ctx, "WEB")
		same(t, "updated client", got, up)
		noErr(t, "DeleteClient", st.DeleteClient(ctx, "WEB"))
		_, err = st.ClientByID(ctx, "WEB")
		wantErr(t, "ClientByID after delete", err, core.ErrNotFound)
	}},
	{"customers get assigned ids, keep given ones, and refuse taken ones", func(t *testing.T, st sqlstore.Backend) {
		a := newCustomer(t, st, 111111, "ТОО \"Test\"")
		b := newCustomer(t, st, 0, "ИП Test")
		if b.ID != a.ID+1 {
			t.Fatalf("assigned id %d, want %d", b.ID, a.ID+1)
		}
		dup := bank.Customer{ID: a.ID, Name: "x", CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, "CreateCustomer taken id", st.CreateCustomer(ctx, &dup), core.ErrExists)
		got, err := st.CustomerByID(ctx, a.ID)
		noErr(t, "CustomerByID", err)
		same(t, "customer", got, a)
		list, total, err := st.ListCustomers(ctx, 1, 1)
		noErr(t, "ListCustomers", err)
		if total != 2 || len(list) != 1 || list[0].ID != b.ID {
			t.Fatalf("ListCustomers(1,1) = %v total %d", list, total)
		}
	}},
	{"memberships join their customer and role; a role in use cannot go", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		r := newCustomerRole(t, st, "DIRECTOR", [][]string{{"OTP_SMS"}, {"TOTP"}})
		c1, c2 := newCustomer(t, st, 10, "A"), newCustomer(t, st, 20, "B")
		for _, c := range []bank.Customer{c2, c1} {
			m := bank.Membership{UserID: u.ID, CustomerID: c.ID, RoleID: r.ID, CreatedAt: t0}
			noErr(t, "PutMembership", st.PutMembership(ctx, &m))
		}
		ms, err := st.MembershipsOfUser(ctx, u.ID)
		noErr(t, "MembershipsOfUser", err)
		if len(ms) != 2 || ms[0].Customer.Name != "A" || ms[1].Customer.Name != "B" {
			t.Fatalf("memberships = %s", show(ms))
		}
		same(t, "joined role", ms[0].Role, r)
		bad := bank.Membership{UserID: u.ID, CustomerID: 999, RoleID: r.ID, CreatedAt: t0}
		wantErr(t, "PutMembership unknown customer", st.PutMembership(ctx, &bad), core.ErrNotFound)
		wantErr(t, "DeleteCustomerRole in use", st.DeleteCustomerRole(ctx, r.ID), core.ErrInUse)
		noErr(t, "DeleteCustomer", st.DeleteCustomer(ctx, c1.ID))
		ms, _ = st.MembershipsOfUser(ctx, u.ID)
		if len(ms) != 1 {
			t.Fatalf("a deleted customer's membership remains: %s", show(ms))
		}
		noErr(t, "DeleteMembership", st.DeleteMembership(ctx, u.ID, c2.ID))
		noErr(t, "DeleteCustomerRole unused", st.DeleteCustomerRole(ctx, r.ID))
	}},
	{"role updates keep the policy and a code stays unique", func(t *testing.T, st sqlstore.Backend) {
		r := newCustomerRole(t, st, "DIRECTOR", [][]string{{"OTP_SMS", "TOTP"}})
		newCustomerRole(t, st, "ACCOUNTANT", nil)
		up, err := st.UpdateCustomerRole(ctx, r.ID, func(x *bank.CustomerRole) error {
			x.Version++
			x.Chains = [][]string{{"TOTP"}}
			return nil
		})
		noErr(t, "UpdateCustomerRole", err)
		got, _ := st.CustomerRoleByID(ctx, r.ID)
		same(t, "updated role", got, up)
		_, err = st.UpdateCustomerRole(ctx, r.ID, func(x *bank.CustomerRole) error { x.Code = "ACCOUNTANT"; return nil })
		wantErr(t, "UpdateCustomerRole to a taken code", err, core.ErrExists)
	}},
	{"a bank profile is found by IIN, and an IIN belongs to one user", func(t *testing.T, st sqlstore.Backend) {
		a, b := newUser(t, st, "a@x.test"), newUser(t, st, "b@x.test")
		p := bank.Profile{UserID: a.ID, IIN: "900101300126", Phone: "+77010000000", UpdatedAt: t0}
		noErr(t, "PutBankProfile", st.PutBankProfile(ctx, &p))
		got, err := st.BankProfileByIIN(ctx, p.IIN)
		noErr(t, "BankProfileByIIN", err)
		same(t, "profile", got, p)
		q := bank.Profile{UserID: b.ID, IIN: p.IIN, UpdatedAt: t0}
		wantErr(t, "PutBankProfile taken IIN", st.PutBankProfile(ctx, &q), core.ErrExists)
		_, err = st.BankProfileOf(ctx, b.ID)
		wantErr(t, "BankProfileOf without one", err, core.ErrNotFound)
	}},
	{"devices are one per fingerprint and removed only by their owner", func(t *testing.T, st sqlstore.Backend) {
		a, b := newUser(t, st, "a@x.test"), newUser(t, st, "b@x.test")
		d := identity.Device{ID: "6f1c4a52-7d4e-4c61-9f55-6c2a8c9d0a11", UserID: a.ID, FingerprintHash: hash("fp"), Name: "one", CreatedAt: t0, LastUsedAt: t0}
		noErr(t, "AddDevice", st.AddDevice(ctx, &d))
		again := identity.Device{ID: "0e2f6a1b-1111-4c61-9f55-6c2a8c9d0a11", UserID: a.ID, FingerprintHash: hash("fp"), Name: "two", CreatedAt: at(time.Hour), LastUsedAt: at(time.Hour)}
		noErr(t, "AddDevice same fingerprint", st.AddDevice(ctx, &again))
		if again.ID != d.ID {
			t.Fatalf("the same fingerprint got a second id %s (first %s)", again.ID, d.ID)
		}
		list, err := st.DevicesOf(ctx, a.ID)
		noErr(t, "DevicesOf", err)
		if len(list) != 1 || list[0].Name != "two" || !list[0].LastUsedAt.Equal(at(time.Hour)) {
			t.Fatalf("devices = %s", show(list))
		}
		wantErr(t, "DeleteDevice by another user", st.DeleteDevice(ctx, b.ID, d.ID), core.ErrNotFound)
		noErr(t, "DeleteDevice", st.DeleteDevice(ctx, a.ID, d.ID))
		_, err = st.DeviceByFingerprint(ctx, a.ID, hash("fp"))
		wantErr(t, "DeviceByFingerprint after delete", err, core.ErrNotFound)
	}},
	{"DeleteDevicesOf forgets and returns every device of the user only", func(t *testing.T, st sqlstore.Backend) {
		a, b := newUser(t, st, "a@x.test"), newUser(t, st, "b@x.test")
		var mine []identity.Device
		for i, fp := range []string{"phone", "laptop"} {
			d := identity.Device{UserID: a.ID, FingerprintHash: hash(fp), Name: fp, CreatedAt: at(time.Duration(i) * time.Hour), LastUsedAt: t0}
			d.ID = []string{"6f1c4a52-7d4e-4c61-9f55-6c2a8c9d0a11", "0e2f6a1b-1111-4c61-9f55-6c2a8c9d0a11"}[i]
			noErr(t, "AddDevice", st.AddDevice(ctx, &d))
			mine = append(mine, d)
		}
		theirs := identity.Device{ID: "7a7a7a7a-1111-4c61-9f55-6c2a8c9d0a11", UserID: b.ID, FingerprintHash: hash("phone"), Name: "b's", CreatedAt: t0, LastUsedAt: t0}
		noErr(t, "AddDevice", st.AddDevice(ctx, &theirs))
		got, err := st.DeleteDevicesOf(ctx, a.ID)
		noErr(t, "DeleteDevicesOf", err)
		slices.SortFunc(got, func(x, y identity.Device) int { return x.CreatedAt.Compare(y.CreatedAt) })
		same(t, "deleted devices", got, mine)
		left, err := st.DevicesOf(ctx, a.ID)
		noErr(t, "DevicesOf", err)
		if len(left) != 0 {
			t.Fatalf("devices left: %s", show(left))
		}
		if list, err := st.DevicesOf(ctx, b.ID); err != nil || len(list) != 1 {
			t.Fatalf("the other user's devices: %s %v", show(list), err)
		}
	}},
	{"TOTP steps are accepted once each and only forward; recovery codes once", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		noErr(t, "PutTOTP", st.PutTOTP(ctx, &identity.TOTPSecret{UserID: u.ID, Sealed: []byte("sealed"), CreatedAt: t0}))
		noErr(t, "ConfirmTOTP", st.ConfirmTOTP(ctx, u.ID, at(time.Minute)))
		got, err := st.TOTPOf(ctx, u.ID)
		noErr(t, "TOTPOf", err)
		if got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(at(time.Minute)) || string(got.Sealed) != "sealed" {
			t.Fatalf("totp = %s", show(got))
		}
		for _, c := range []struct {
			step int64
			want bool
		}{{100, true}, {100, false}, {99, false}, {101, true}} {
			ok, err := st.UseTOTPStep(ctx, u.ID, c.step)
			noErr(t, "UseTOTPStep", err)
			if ok != c.want {
				t.Fatalf("UseTOTPStep(%d) = %v, want %v", c.step, ok, c.want)
			}
		}
		noErr(t, "ReplaceRecoveryCodes", st.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{hash("r1"), hash("r2")}, t0))
		noErr(t, "UseRecoveryCode", st.UseRecoveryCode(ctx, u.ID, hash("r1"), t0))
		wantErr(t, "UseRecoveryCode twice", st.UseRecoveryCode(ctx, u.ID, hash("r1"), t0), core.ErrCodeInvalid)
		noErr(t, "ReplaceRecoveryCodes", st.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{hash("r3")}, t0))
		wantErr(t, "an old code after replacement", st.UseRecoveryCode(ctx, u.ID, hash("r2"), t0), core.ErrCodeInvalid)
		noErr(t, "DeleteTOTP", st.DeleteTOTP(ctx, u.ID))
		_, err = st.TOTPOf(ctx, u.ID)
		wantErr(t, "TOTPOf after delete", err, core.ErrNotFound)
	}},
	{"a one-time code counts attempts, stops at the maximum and is used once", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		s := newSession(t, st, u.ID)
		newOTP(t, st, s, "123456", 3)
		c, ok, err := st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash("000000"), at(time.Minute))
		noErr(t, "AttemptOTP wrong", err)
		if ok || c.Attempts != 1 {
			t.Fatalf("wrong code: ok %v attempts %d", ok, c.Attempts)
		}
		c, ok, err = st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash("123456"), at(time.Minute))
		noErr(t, "AttemptOTP right", err)
		if !ok || c.UsedAt == nil || c.Attempts != 2 {
			t.Fatalf("right code: ok %v %s", ok, show(c))
		}
		_, _, err = st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash("123456"), at(time.Minute))
		wantErr(t, "AttemptOTP after use", err, core.ErrNotFound)
		newOTP(t, st, s, "654321", 2) // a new code replaces the used one
		for range 2 {
			_, _, err = st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash("000000"), at(time.Minute))
			noErr(t, "AttemptOTP wrong", err)
		}
		_, _, err = st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash("654321"), at(time.Minute))
		wantErr(t, "AttemptOTP when exhausted", err, core.ErrNotFound)
		newOTP(t, st, s, "111111", 5)
		_, _, err = st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash("111111"), at(time.Hour))
		wantErr(t, "AttemptOTP when expired", err, core.ErrNotFound)
	}},
	{"racing attempts never exceed the maximum, and one right code wins once", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "a@x.test")
		attempt := func(s identity.Session, code string) (counted, wins int, errs []error) {
			var mu sync.Mutex
			race(func(int) {
				_, ok, err := st.AttemptOTP(ctx, s.ID, bank.FactorSMS, hash(code), at(time.Minute))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					counted++
					if ok {
						wins++
					}
				case !errors.Is(err, core.ErrNotFound):
					errs = append(errs, err)
				}
			})
			return counted, wins, errs
		}
		wrong := newSession(t, st, u.ID)
		newOTP(t, st, wrong, "123456", 5)
		counted, wins, errs := attempt(wrong, "000000")
		got, _ := st.OTPOf(ctx, wrong.ID, bank.FactorSMS)
		if len(errs) > 0 || wins != 0 || counted != 5 || got.Attempts != 5 {
			t.Fatalf("wrong codes: counted %d (want 5, stored %d), wins %d, errors %v", counted, got.Attempts, wins, errs)
		}
		right := newSession(t, st, u.ID)
		newOTP(t, st, right, "123456", 5)
		counted, wins, errs = attempt(right, "123456")
		if len(errs) > 0 || wins != 1 || counted != 1 {
			t.Fatalf("right codes: counted %d, wins %d (want 1 and 1), errors %v", counted, wins, errs)
		}
	}},
	{"a ciphertext hash is fresh once, and forgotten by PurgeBank after it expires", func(t *testing.T, st sqlstore.Backend) {
		fresh, err := st.RememberCiphertext(ctx, hash("ct"), at(time.Hour))
		noErr(t, "RememberCiphertext", err)
		again, err := st.RememberCiphertext(ctx, hash("ct"), at(time.Hour))
		noErr(t, "RememberCiphertext again", err)
		if !fresh || again {
			t.Fatalf("fresh %v then %v, want true then false", fresh, again)
		}
		noErr(t, "PurgeBank", st.PurgeBank(ctx, at(2*time.Hour)))
		fresh, _ = st.RememberCiphertext(ctx, hash("ct"), at(3*time.Hour))
		if !fresh {
			t.Fatal("a purged hash is still remembered")
		}
	}},
	{"racing replays of one ciphertext have exactly one fresh caller", func(t *testing.T, st sqlstore.Backend) {
		var mu sync.Mutex
		fresh, errs := 0, []error{}
		race(func(int) {
			f, err := st.RememberCiphertext(ctx, hash("ct"), at(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if f {
				fresh++
			}
		})
		if fresh != 1 || len(errs) > 0 {
			t.Fatalf("%d fresh (want 1), errors %v", fresh, errs)
		}
	}},
}
