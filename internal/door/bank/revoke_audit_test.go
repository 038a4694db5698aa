package bank_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAnRFC7009RevocationIsAuditedOnce: the revocation of a live token
// writes one session.revoked row naming the user as actor and the client;
// revoking it again, or an unknown token, writes none.
func TestAnRFC7009RevocationIsAuditedOnce(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		s1 := k.ok(k.login(k.email), 200)
		for i := 0; i < 2; i++ {
			k.ok(k.Do("POST", "/auth/oauth/revoke?"+q("token", s1["access_token"].(string)), "{}", "Authorization", webBasic), 200)
		}
		k.ok(k.Do("POST", "/auth/oauth/revoke?"+q("token", "unknown"), "{}", "Authorization", webBasic), 200)
		r := k.ok(k.Do("GET", "/admin/v1/audit?type=session.revoked&user="+k.email, nil, "Authorization", "Bearer "+adminToken), 200)
		events := r["events"].([]any)
		if len(events) != 1 {
			t.Fatalf("session.revoked rows %v, want 1", events)
		}
		ev := events[0].(map[string]any)
		d := ev["detail"].(map[string]any)
		if ev["actor"] != fmt.Sprintf("user:%d", int64(k.userID)) || d["door"] != "bank" || d["client_id"] != "WEB" || d["reason"] == "" {
			t.Fatalf("revocation row %v", ev)
		}
		k.oauthErr(k.step(s1, q("grant_type", "customer", "customer_id", fmt.Sprint(custA))), 401, "invalid_token")
	})
}
