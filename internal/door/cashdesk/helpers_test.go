package cashdesk_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const adminToken = "test-admin-token-0123456789"

func newEnv(t testing.TB, b testenv.Backend) *testenv.Env {
	return testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) { c.AdminToken = adminToken }})
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// signUpOnPlatform registers and confirms a user through the platform door
// (the platform API): the cashdesk must know every user of the identity core.
func signUpOnPlatform(t testing.TB, e *testenv.Env, email, password, name string) string {
	t.Helper()
	r := e.Do("POST", "/v1/user", map[string]string{"login": email, "password": password, "name": name})
	if r.Status != 201 {
		t.Fatalf("platform register: %d %s", r.Status, r.Body)
	}
	id := r.Map(t)["id"].(string)
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	if r := e.Do("GET", "/v1/user/confirm/"+code, nil); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	return id
}

type signature struct {
	Serial      string `json:"serial"`
	CertEndData string `json:"cert_end_data"`
}

type user struct {
	FullName     *string    `json:"full_name"`
	UUID         string     `json:"uuid"`
	Email        string     `json:"email"`
	EDRPOU       *string    `json:"edrpou"`
	DRFO         *string    `json:"drfo"`
	LastOnline   *string    `json:"last_online"`
	SubjectKeyID *string    `json:"subject_key_id"`
	Signature    *signature `json:"signature"`
}

type authAnswer struct {
	ActiveRRO      bool    `json:"active_rro"`
	DeveloperID    *int64  `json:"developer_id"`
	OpenedShift    *string `json:"opened_shift"`
	Token          string  `json:"token"`
	TokenExpiresAt string  `json:"token_expires_at"`
	User           user    `json:"user"`
}

// authenticate signs in at the cashdesk with the published API's headers.
func authenticate(t testing.TB, e *testenv.Env, email, password string) authAnswer {
	t.Helper()
	r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": email, "password": password}, "Accept", "application/json")
	if r.Status != 200 {
		t.Fatalf("authenticate: %d %s", r.Status, r.Body)
	}
	var a authAnswer
	r.JSON(t, &a)
	return a
}

// auth is the header a cashier sends back: the published API's token is already "Bearer …".
func auth(a authAnswer) []string { return []string{"Authorization", a.Token} }

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func num(p *int64) string {
	if p == nil {
		return "<null>"
	}
	return fmt.Sprint(*p)
}

func strconvFloat(f float64) string { return fmt.Sprintf("%.0f", f) }
