package server_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestTheUserIsToldOfNewDevicesAndPasswordChanges(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	signUp(t, e, "eve@example.com", "eve's password")
	mustLogin(t, e, "eve@example.com", "eve's password", from("198.51.100.1", "Firefox/140")...) // the first device: no news
	mustLogin(t, e, "eve@example.com", "eve's password", from("198.51.100.9", "Firefox/140")...) // same browser, same network
	p := mustLogin(t, e, "eve@example.com", "eve's password", from("203.0.113.5", "curl/8.5")...)
	m := e.Mail.Next(t, testenv.MailTimeout)
	if m.To != "eve@example.com" || !strings.Contains(m.Text, "curl/8.5") || !strings.Contains(m.Text, "203.0.113.5") {
		t.Fatalf("new device mail: %s %q\n%s", m.To, m.Subject, m.Text)
	}
	e.Mail.None(t) // and only one: the same-network sign-in was not news

	// The user sees the sessions, and ends the stranger's.
	r := e.Do("GET", "/v1/user/sessions", nil, bearer(p.AccessToken)...)
	var list []map[string]any
	r.JSON(t, &list)
	if len(list) != 3 {
		t.Fatalf("%d sessions: %s", len(list), r.Body)
	}
	for _, s := range list {
		if s["current"] == true {
			if r := e.Do("DELETE", "/v1/user/sessions/"+s["id"].(string), nil, bearer(p.AccessToken)...); r.Status != 204 {
				t.Fatalf("revoke: %d", r.Status)
			}
		}
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(p.AccessToken)...); r.Status != 401 {
		t.Fatalf("revoked session still works: %d", r.Status)
	}

	e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "eve@example.com"})
	token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "eve's new password"})
	if m := e.Mail.Next(t, testenv.MailTimeout); !strings.Contains(m.Subject, "password was changed") {
		t.Fatalf("want the password change notice, got %q", m.Subject)
	}
}
