package server_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestTheAdminAPIStoresBankPhonesInE164AndRefusesBadOnesNamingTheField(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, func(c *config.Config) { c.PhoneRegion = "KZ" })
		admin := bearer(adminToken)
		if r := e.Do("POST", "/admin/v1/users", map[string]any{"email": "ann@bank.test", "password": "long enough", "email_confirmed": true}, admin...); r.Status != 201 {
			t.Fatalf("user: %d %s", r.Status, r.Body)
		}
		const path = "/admin/v1/users/ann@bank.test/bank-profile"
		put := func(phone string) *testenv.Response {
			return e.Do("PUT", path, map[string]any{"iin": "900101300126", "phone": phone}, admin...)
		}
		stored := func() any { return e.Do("GET", path, nil, admin...).Map(t)["phone"] }
		for phone, want := range map[string]string{
			"+7 (701) 123-45-67":  "+77011234567",
			"8 701 765 43 21":     "+77017654321", // national, read in GATEHOUSE_PHONE_REGION
			"tel:+380-50-1234567": "+380501234567",
			"":                    "",
		} {
			r := put(phone)
			if r.Status != 200 || r.Map(t)["phone"] != want || stored() != want {
				t.Fatalf("PUT phone %q: %d %s, stored %v; want %q", phone, r.Status, r.Body, stored(), want)
			}
		}
		put("+77011234567")
		for _, phone := range []string{"+1555", "+7 727 258 0000", "call me", "+77011234567890123"} {
			r := put(phone)
			m := r.Map(t)
			if r.Status != 400 || m["error"] != "invalid_phone" || m["field"] != "phone" {
				t.Fatalf("PUT phone %q: %d %s; want 400 invalid_phone on phone", phone, r.Status, r.Body)
			}
			if got := stored(); got != "+77011234567" {
				t.Fatalf("a refused phone %q changed the stored one to %v", phone, got)
			}
		}
	})
}
