package server_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/cashdesk/certtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestCashdeskChangesAreAuditedInTheirOwnTransaction(t *testing.T) {
	armed := &atomic.Bool{}
	e := newEnv(t, testenv.SQLite, nil, func(o *testenv.Options) {
		o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return auditFaultStore{s, armed} }
	})
	signUp(t, e, "max@example.com", "max's password")
	admin := bearer(adminToken)
	reg := e.Do("POST", "/admin/v1/registers", map[string]string{"fiscal_number": "4000123456", "name": "Till 1"}, admin...).Map(t)
	regID := fmt.Sprint(reg["id"])
	if r := e.Do("PUT", "/admin/v1/registers/"+regID+"/users/max@example.com", nil, admin...); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "max@example.com", "password": "max's password"})
	cash := []string{"Authorization", r.Map(t)["token"].(string)}

	// A change whose audit row fails is not made.
	armed.Store(true)
	if r := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, cash...); r.Status != 503 {
		t.Fatalf("key with the audit failing: %d %s", r.Status, r.Body)
	}
	if keys := e.Do("GET", "/api/v2/api-keys", nil, cash...).Map(t)["keys"].([]any); len(keys) != 0 {
		t.Fatalf("a key was made without its audit row: %v", keys)
	}

	key := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, cash...).Map(t)
	sh := e.Do("POST", "/api/v2/shifts", map[string]any{"register_id": reg["id"]}, cash...).Map(t)
	if r := e.Do("POST", fmt.Sprintf("/api/v2/shifts/%v/close", sh["id"]), nil, cash...); r.Status != 200 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	if r := e.Do("PUT", "/api/v2/profile/certificate", string(certtest.Load("cashier.pem")), append(cash, "Content-Type", "application/x-pem-file")...); r.Status != 200 {
		t.Fatalf("certificate: %d %s", r.Status, r.Body)
	}
	if r := e.Do("PATCH", "/api/v2/profile", map[string]any{"drfo": "3184710691", "full_name": "Max"}, cash...); r.Status != 200 {
		t.Fatalf("profile: %d %s", r.Status, r.Body)
	}
	e.Do("DELETE", "/api/v2/api-keys/"+key["id"].(string), nil, cash...)

	events := auditEvents(t, e, "&user=max@example.com")
	got := strings.Join(types(events), ",")
	want := "admin.register,login.succeeded,key.created,shift.opened,shift.closed,certificate.uploaded,cashier.updated,key.revoked"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("audit %s\nwant it to end with %s", got, want)
	}
	for _, ev := range events {
		if ev["type"] == "key.created" && (ev["actor"] != "user:"+fmt.Sprint(ev["user_id"]) || strings.Contains(fmt.Sprint(ev), key["key"].(string))) {
			t.Fatalf("key.created: %v", ev)
		}
		if ev["type"] == "cashier.updated" && fmt.Sprint(ev["detail"]) != "map[fields:drfo,full_name]" {
			t.Fatalf("cashier.updated detail: %v", ev["detail"])
		}
		if ev["type"] == "admin.register" && ev["actor"] != "admin:token" {
			t.Fatalf("admin.register actor %v", ev["actor"])
		}
	}
}

func TestBankRegistryChangesAreAuditedWithTheirActor(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	newBankUser(t, e, "nell@example.com", "nell's password") // profile, role, customer, membership
	admin := bearer(adminToken)
	e.Do("POST", "/admin/v1/clients", map[string]any{"id": "APP", "confidential": true}, admin...)
	e.Do("DELETE", "/admin/v1/clients/APP", nil, admin...)
	got := map[string]int{}
	for _, ev := range auditEvents(t, e, "&type=admin.") {
		if ev["subject"] == "WEB" { // the default client, made at start
			if ev["actor"] != "system" {
				t.Fatalf("actor of %v", ev)
			}
			continue
		}
		if ev["actor"] != "admin:token" {
			t.Fatalf("actor of %v", ev)
		}
		action, _ := ev["detail"].(map[string]any)["action"].(string) // "" for admin.user_created
		got[ev["type"].(string)+":"+action]++
	}
	for _, want := range []string{"admin.bank_profile:set", "admin.customer_role:created", "admin.customer:created",
		"admin.membership:set", "admin.client:created", "admin.client:deleted"} {
		if got[want] != 1 {
			t.Fatalf("%s: %d events in %v", want, got[want], got)
		}
	}
}
