package cashdesk_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The testenv clock starts at 2026-03-14 09:26:53 UTC; Kyiv is UTC+2 then
// (summer time starts on 29 March), so the expected local strings below are
// worked out by hand, not by the code under test.
func TestAPlatformUserAuthenticatesAtTheCashdeskWithTheSeedsAnswer(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b)
		uuid := signUpOnPlatform(t, e, "Ivan@Example.com", "cashier secret 1", "Іванов Іван Іванович")
		// A platform login at 09:26:53 UTC is the last activity the cashdesk reports.
		if r := e.Do("POST", "/v1/auth/login", map[string]string{"username": "ivan@example.com", "password": "cashier secret 1"}); r.Status != 200 {
			t.Fatalf("platform login: %d %s", r.Status, r.Body)
		}
		e.Clock.Advance(time.Hour)

		r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com", "password": "cashier secret 1"},
			"Accept", "application/json", "Content-Type", "application/json")
		if r.Status != 200 {
			t.Fatalf("authenticate: %d %s", r.Status, r.Body)
		}
		// Field order and presence as in the published API: every key, nulls included.
		var raw map[string]json.RawMessage
		r.JSON(t, &raw)
		for _, k := range []string{"active_rro", "developer_id", "opened_shift", "token", "token_expires_at", "user"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("answer lacks %q: %s", k, r.Body)
			}
		}
		if !strings.HasPrefix(string(r.Body), `{"active_rro":`) {
			t.Errorf("answer does not start as the seed's: %s", r.Body)
		}
		var a authAnswer
		r.JSON(t, &a)
		if a.ActiveRRO || a.DeveloperID != nil || a.OpenedShift != nil {
			t.Errorf("a new cashier: active_rro %v developer_id %s opened_shift %s, want false, null, null", a.ActiveRRO, num(a.DeveloperID), str(a.OpenedShift))
		}
		if !strings.HasPrefix(a.Token, "Bearer ey") || strings.Count(a.Token, ".") != 2 {
			t.Errorf("token %q, want \"Bearer <jwt>\"", a.Token)
		}
		// 10:26:53 UTC + 12 h = 22:26:53 UTC = 00:26 on the 15th in Kyiv.
		if a.TokenExpiresAt != "15.03.2026 00:26" {
			t.Errorf("token_expires_at %q, want 15.03.2026 00:26", a.TokenExpiresAt)
		}
		u := a.User
		if str(u.FullName) != "Іванов Іван Іванович" || u.UUID != uuid || u.Email != "Ivan@Example.com" {
			t.Errorf("user %s / %s / %s", str(u.FullName), u.UUID, u.Email)
		}
		if u.EDRPOU != nil || u.DRFO != nil || u.SubjectKeyID != nil || u.Signature != nil {
			t.Errorf("a user without tax ids or certificate: %s", raw["user"])
		}
		if str(u.LastOnline) != "14-03-2026 11:26:53" {
			t.Errorf("last_online %s, want 14-03-2026 11:26:53 (the platform login, in Kyiv)", str(u.LastOnline))
		}

		// The token opens the door as the published API hands it out ("Authorization: Bearer …").
		if r := e.Do("GET", "/api/v2/profile", nil, auth(a)...); r.Status != 200 {
			t.Fatalf("profile with the token: %d %s", r.Status, r.Body)
		}
		// It lasts the shift and not longer.
		e.Clock.Advance(12*time.Hour - time.Minute)
		if r := e.Do("GET", "/api/v2/profile", nil, auth(a)...); r.Status != 200 {
			t.Fatalf("profile near the end of the shift: %d %s", r.Status, r.Body)
		}
		e.Clock.Advance(2 * time.Minute)
		if r := e.Do("GET", "/api/v2/profile", nil, auth(a)...); r.Status != 401 {
			t.Fatalf("profile after 12 h: %d %s", r.Status, r.Body)
		}
	})
}

func TestTheAnswerReportsTaxIDsCertificateDeveloperRegistersAndTheOpenShift(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b)
		signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
		a := authenticate(t, e, "ivan@example.com", "cashier secret 1")
		if a.User.FullName != nil {
			t.Fatalf("full_name %s for a user without a name, want null", str(a.User.FullName))
		}
		r := e.Do("PATCH", "/api/v2/profile", map[string]string{"full_name": "Іванов Іван Іванович", "edrpou": "14360570", "drfo": "3184710691"}, auth(a)...)
		if r.Status != 200 {
			t.Fatalf("profile update: %d %s", r.Status, r.Body)
		}
		// DER as JSON base64; the PEM path is covered in the certificate test.
		der := base64.StdEncoding.EncodeToString(certtest.Load("cashier.der"))
		if r := e.Do("PUT", "/api/v2/profile/certificate", map[string]string{"certificate": der}, auth(a)...); r.Status != 200 {
			t.Fatalf("certificate: %d %s", r.Status, r.Body)
		}

		admin := bearer(adminToken)
		reg := e.Do("POST", "/admin/v1/registers", map[string]string{"fiscal_number": "4000055255", "name": "Каса 1"}, admin...).Map(t)
		regID := fmt.Sprint(reg["id"])
		if r := e.Do("PUT", "/admin/v1/registers/"+regID+"/users/ivan@example.com", nil, admin...); r.Status != 200 {
			t.Fatalf("assign: %d %s", r.Status, r.Body)
		}
		dev := e.Do("POST", "/admin/v1/developers", map[string]string{"name": "Acme POS"}, admin...).Map(t)
		if r := e.Do("PUT", "/admin/v1/users/ivan@example.com/developer", map[string]any{"developer_id": dev["id"]}, admin...); r.Status != 200 {
			t.Fatalf("developer: %d %s", r.Status, r.Body)
		}
		shift := e.Do("POST", "/api/v2/shifts", map[string]any{"register_id": reg["id"]}, auth(a)...)
		if shift.Status != 201 {
			t.Fatalf("open shift: %d %s", shift.Status, shift.Body)
		}
		sm := shift.Map(t)
		shiftID := sm["id"].(string)
		// The clock is 09:26:53 UTC, 11:26:53 in Kyiv: a shift's dates read
		// as last_online does, in the door's zone.
		if sm["opened_at"] != "14-03-2026 11:26:53" || sm["closed_at"] != nil {
			t.Errorf("opened shift %v, want opened_at 14-03-2026 11:26:53 and closed_at null", sm)
		}

		e.Clock.Advance(time.Minute)
		next := authenticate(t, e, "ivan@example.com", "cashier secret 1")
		if !next.ActiveRRO || num(next.DeveloperID) != fmt.Sprint(dev["id"]) || str(next.OpenedShift) != shiftID {
			t.Errorf("active_rro %v developer_id %s opened_shift %s, want true, %v, %s", next.ActiveRRO, num(next.DeveloperID), str(next.OpenedShift), dev["id"], shiftID)
		}
		u := next.User
		if str(u.FullName) != "Іванов Іван Іванович" || str(u.EDRPOU) != "14360570" || str(u.DRFO) != "3184710691" {
			t.Errorf("profile fields %s %s %s", str(u.FullName), str(u.EDRPOU), str(u.DRFO))
		}
		if str(u.SubjectKeyID) != "88b920a191b2402e86f5f7c1d2e3f4a5b6c7d8e9f78735b0d9734b7266b80f15" {
			t.Errorf("subject_key_id %s", str(u.SubjectKeyID))
		}
		// Not after 2035-11-15 12:00 UTC, 14:00 in Kyiv: the same day.
		if u.Signature == nil || u.Signature.Serial != "14F1E2D3C4B50700000000000000000000000001" || u.Signature.CertEndData != "15.11.2035" {
			t.Errorf("signature %+v", u.Signature)
		}
		// The previous authenticate (09:26:53 UTC) is the last activity.
		if str(u.LastOnline) != "14-03-2026 11:26:53" {
			t.Errorf("last_online %s, want 14-03-2026 11:26:53", str(u.LastOnline))
		}

		// Closing the shift empties opened_shift; closing twice is a conflict.
		if r := e.Do("POST", "/api/v2/shifts/"+shiftID+"/close", nil, auth(next)...); r.Status != 200 || r.Map(t)["closed_at"] != "14-03-2026 11:27:53" {
			t.Fatalf("close: %d %s (want closed_at 14-03-2026 11:27:53)", r.Status, r.Body)
		}
		if r := e.Do("POST", "/api/v2/shifts/"+shiftID+"/close", nil, auth(next)...); r.Status != 409 || r.Map(t)["error"] != "shift_closed" {
			t.Fatalf("close twice: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/api/v2/shifts/current", nil, auth(next)...); r.Status != 404 {
			t.Fatalf("current shift after close: %d %s", r.Status, r.Body)
		}
		if again := authenticate(t, e, "ivan@example.com", "cashier secret 1"); again.OpenedShift != nil || !again.ActiveRRO {
			t.Fatalf("after close: opened_shift %s active_rro %v", str(again.OpenedShift), again.ActiveRRO)
		}
	})
}

func TestTheZoneIsConfigurable(t *testing.T) {
	e := testenv.New(t, testenv.Options{Config: func(c *config.Config) { c.CashdeskZone = "Asia/Almaty"; c.CashdeskTokenTTL = time.Hour }})
	signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
	a := authenticate(t, e, "ivan@example.com", "cashier secret 1")
	// 09:26:53 UTC + 1 h = 10:26 UTC = 15:26 in Almaty (UTC+5).
	if a.TokenExpiresAt != "14.03.2026 15:26" {
		t.Fatalf("token_expires_at %q, want 14.03.2026 15:26", a.TokenExpiresAt)
	}
}
