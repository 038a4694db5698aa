package admin_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestEveryListReportsTheLimitItAppliesAndRefusesZero: limit=0 and limits
// over 500 are 400 invalid_paging on every paged list; an absent limit is
// 50, and the answer says so.
func TestEveryListReportsTheLimitItAppliesAndRefusesZero(t *testing.T) {
	e := newEnv(t, testenv.SQLite)
	for _, path := range []string{"/admin/v1/users", "/admin/v1/audit", "/admin/v1/customers"} {
		for _, bad := range []string{"0", "501", "-1", "ten"} {
			r := e.Do("GET", path+"?limit="+bad, nil, as(adminToken)...)
			if m := r.Map(t); r.Status != 400 || m["error"] != "invalid_paging" || m["field"] != "limit" {
				t.Fatalf("%s?limit=%s: %d %s", path, bad, r.Status, r.Body)
			}
		}
		for query, want := range map[string]float64{"": 50, "?limit=1": 1, "?limit=500": 500} {
			r := e.Do("GET", path+query, nil, as(adminToken)...)
			m := r.Map(t)
			if r.Status != 200 {
				t.Fatalf("%s%s: %d %s", path, query, r.Status, r.Body)
			}
			if l, ok := m["limit"]; ok && l != want {
				t.Fatalf("%s%s reports limit %v, want %v", path, query, l, want)
			}
		}
	}
}
