package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// fillDisk makes the environment's database refuse to grow for inserts
// into the tables a sign-up, a sign-in and a refresh write (storetest.FillDisk).
func fillDisk(t *testing.T, e *testenv.Env) (free func()) {
	t.Helper()
	st := e.Store.(*sqlstore.Store)
	return storetest.FillDisk(t, st.DB(), "users", "sessions", "refresh_tokens")
}

func wantHealth(t *testing.T, e *testenv.Env, code int, status string) map[string]any {
	t.Helper()
	r := e.Do("GET", "/status", nil)
	m := r.Map(t)
	if r.Status != code || m["status"] != status || m["version"] != "test" || m["commit"] != "test" {
		t.Fatalf("/status: %d %s, want %d %q", r.Status, r.Body, code, status)
	}
	if (code == 503) != (r.Header.Get("Retry-After") != "") {
		t.Fatalf("/status %d with Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	return m
}

func TestAFullDiskAnswers503OnEveryWriteAndStatusSaysDegradedUntilWritesWorkAgain(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "ann@example.com", "ann's password")
		p := mustLogin(t, e, "ann@example.com", "ann's password")
		wantHealth(t, e, 200, "ok")

		free := fillDisk(t, e)
		for what, r := range map[string]*testenv.Response{
			"sign-up": e.Do("POST", "/v1/user", map[string]string{"login": "bob@example.com", "password": "bob's password"}),
			"login":   loginAs(e, "ann@example.com", "ann's password"),
			"refresh": e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}),
			"cashdesk authenticate": e.Do("POST", "/api/v2/authenticate",
				map[string]string{"email": "ann@example.com", "password": "ann's password"}),
		} {
			assert503(t, what, r)
			if code := r.Map(t)["error"]; code != "unavailable" {
				t.Fatalf("%s: error %v, want unavailable", what, code)
			}
		}
		m := wantHealth(t, e, 503, "degraded")
		if checks, _ := m["checks"].(map[string]any); checks["database"] != "disk_full" {
			t.Fatalf("/status names %v, want database: disk_full", m["checks"])
		}
		// The background check pings the database, which answers: the fault
		// stays until a write goes through.
		e.Srv.Health.Refresh(context.Background())
		wantHealth(t, e, 503, "degraded")

		free()
		if r := e.Do("POST", "/v1/user", map[string]string{"login": "bob@example.com", "password": "bob's password"}); r.Status != 201 {
			t.Fatalf("sign-up after the room is back: %d %s", r.Status, r.Body)
		}
		wantHealth(t, e, 200, "ok")
		mustLogin(t, e, "ann@example.com", "ann's password")
		if r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}); r.Status != 200 {
			t.Fatalf("the refresh refused for the full disk was spent: %d %s", r.Status, r.Body)
		}
	})
}

func TestStatusRecoversFromAFullDiskWithNoTrafficThroughTheProbe(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		free := fillDisk(t, e)
		assert503(t, "sign-up", e.Do("POST", "/v1/user", map[string]string{"login": "cy@example.com", "password": "cy's password"}))
		wantHealth(t, e, 503, "degraded")
		free()
		e.Srv.Health.Refresh(context.Background()) // within the hold: the probe waits
		wantHealth(t, e, 503, "degraded")
		e.Clock.Advance(time.Minute)
		e.Srv.Health.Refresh(context.Background()) // the probe writes, and the fault clears
		wantHealth(t, e, 200, "ok")
	})
}
