package cashdesk_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestTheCashdeskLogoutIsAuditedWithTheCashierAsActor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b)
		signUpOnPlatform(t, e, "ivan@example.com", "cashier secret 1", "")
		a := authenticate(t, e, "ivan@example.com", "cashier secret 1")
		if r := e.Do("POST", "/api/v2/logout", nil, auth(a)...); r.Status != 204 {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		u := e.Do("GET", "/admin/v1/users/ivan@example.com", nil, bearer(adminToken)...).Map(t)
		r := e.Do("GET", "/admin/v1/audit?type=session.revoked&user=ivan@example.com", nil, bearer(adminToken)...)
		events := r.Map(t)["events"].([]any)
		if len(events) != 1 {
			t.Fatalf("session.revoked rows: %s", r.Body)
		}
		ev := events[0].(map[string]any)
		d := ev["detail"].(map[string]any)
		if want := fmt.Sprintf("user:%d", int64(u["id"].(float64))); ev["actor"] != want || d["reason"] != "logout" || d["door"] != "cashdesk" {
			t.Fatalf("logout row %v, want actor %s, reason logout, door cashdesk", ev, want)
		}
	})
}
