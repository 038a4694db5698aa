package client_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/api/client"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const adminToken = "client-test-admin-token-0123456789"

// bearer authenticates every request of a client (the admin token, an
// access token or an API key).
func bearer(token string) client.ClientOption {
	return client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
}

func newClient(t *testing.T, e *testenv.Env, opts ...client.ClientOption) *client.ClientWithResponses {
	t.Helper()
	c, err := client.NewClientWithResponses(e.URL, append([]client.ClientOption{client.WithHTTPClient(e.Client)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// must fails the test unless the call succeeded with the wanted status.
func must[R interface{ StatusCode() int }](t *testing.T, what string, want int, r R, err error, body func() []byte) R {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if r.StatusCode() != want {
		t.Fatalf("%s: status %d, want %d: %s", what, r.StatusCode(), want, body())
	}
	return r
}

func TestTheGeneratedClientDrivesTheAdminAPI(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) { c.AdminToken = adminToken }})
		ctx := context.Background()
		admin := newClient(t, e, bearer(adminToken))

		// Create a confirmed user; list, search and show it.
		confirmed, name := true, "Olena Koval"
		created, err := admin.AdminCreateUserWithResponse(ctx, client.AdminCreateUserJSONRequestBody{
			Email: "olena@example.com", Password: "correct horse 1", Name: &name, EmailConfirmed: &confirmed,
		})
		must(t, "create", 201, created, err, func() []byte { return created.Body })
		u := created.JSON201
		if u.Email != "olena@example.com" || !u.EmailConfirmed || u.Locked {
			t.Fatalf("created user = %+v", u)
		}
		q := "olena"
		list, err := admin.AdminListUsersWithResponse(ctx, &client.AdminListUsersParams{Q: &q})
		must(t, "list", 200, list, err, func() []byte { return list.Body })
		if list.JSON200.Total != 1 || len(list.JSON200.Users) != 1 || list.JSON200.Users[0].Id != u.Id {
			t.Fatalf("search %q = %+v", q, list.JSON200)
		}
		shown, err := admin.AdminGetUserWithResponse(ctx, u.Uuid.String())
		must(t, "show", 200, shown, err, func() []byte { return shown.Body })
		if shown.JSON200.Id != u.Id || shown.JSON200.Name != name {
			t.Fatalf("show = %+v", shown.JSON200)
		}

		// The user signs in at the platform door: one session, which the
		// admin API lists and revokes.
		platform := newClient(t, e)
		pair := login(t, platform, "olena@example.com", "correct horse 1")
		sessions, err := admin.AdminListUserSessionsWithResponse(ctx, u.Email)
		must(t, "sessions", 200, sessions, err, func() []byte { return sessions.Body })
		if len(*sessions.JSON200) != 1 || (*sessions.JSON200)[0].Door != "platform" {
			t.Fatalf("sessions = %+v", *sessions.JSON200)
		}
		revoked, err := admin.AdminRevokeSessionWithResponse(ctx, (*sessions.JSON200)[0].Id)
		must(t, "revoke session", 204, revoked, err, func() []byte { return revoked.Body })
		profile, err := newClient(t, e, bearer(pair.AccessToken)).PlatformProfileWithResponse(ctx)
		must(t, "profile with a revoked session", 401, profile, err, func() []byte { return profile.Body })

		// Lock refuses the sign-in; unlock lets it in again.
		locked, err := admin.AdminLockUserWithResponse(ctx, u.Email)
		must(t, "lock", 200, locked, err, func() []byte { return locked.Body })
		if !locked.JSON200.Locked {
			t.Fatalf("lock answered %+v", locked.JSON200)
		}
		refused := loginResponse(t, platform, "olena@example.com", "correct horse 1")
		if refused.StatusCode() != 403 || refused.JSON403.Error != "account_locked" {
			t.Fatalf("login while locked: %d %s", refused.StatusCode(), refused.Body)
		}
		unlocked, err := admin.AdminUnlockUserWithResponse(ctx, u.Email)
		must(t, "unlock", 200, unlocked, err, func() []byte { return unlocked.Body })
		if unlocked.JSON200.Locked {
			t.Fatalf("unlock answered %+v", unlocked.JSON200)
		}
		login(t, platform, "olena@example.com", "correct horse 1")

		// Roles.
		roles, err := admin.AdminSetUserRolesWithResponse(ctx, u.Email, client.AdminSetUserRolesJSONRequestBody{Roles: []string{"auditor", "support"}})
		must(t, "roles", 200, roles, err, func() []byte { return roles.Body })
		if !slices.Equal(roles.JSON200.Roles, []string{"auditor", "support"}) {
			t.Fatalf("roles = %v", roles.JSON200.Roles)
		}

		// The audit log tells the story, newest first.
		user := u.Email
		audit, err := admin.AdminListAuditWithResponse(ctx, &client.AdminListAuditParams{User: &user})
		must(t, "audit", 200, audit, err, func() []byte { return audit.Body })
		var types []string
		for _, ev := range audit.JSON200.Events {
			types = append(types, ev.Type)
		}
		for _, want := range []string{"login.succeeded", "session.revoked", "admin.user_created", "admin.lock", "admin.unlock", "admin.roles"} {
			if !slices.Contains(types, want) {
				t.Errorf("the audit log of %s lacks %s: %v", user, want, types)
			}
		}

		// Without the admin token the admin API refuses.
		anonymous, err := newClient(t, e).AdminListUsersWithResponse(ctx, nil)
		must(t, "list without a token", 401, anonymous, err, func() []byte { return anonymous.Body })
	})
}

func TestTheGeneratedClientRegistersAndSignsIn(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	ctx := context.Background()
	platform := newClient(t, e)
	locale := client.En
	reg, err := platform.PlatformRegisterWithResponse(ctx, nil, client.PlatformRegisterJSONRequestBody{
		Login: "taras@example.com", Password: "correct horse 2", Locale: &locale,
	})
	must(t, "register", 201, reg, err, func() []byte { return reg.Body })
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	conf, err := platform.PlatformConfirmEmailWithResponse(ctx, code)
	must(t, "confirm", 200, conf, err, func() []byte { return conf.Body })

	pair := login(t, platform, "taras@example.com", "correct horse 2")
	profile, err := newClient(t, e, bearer(pair.AccessToken)).PlatformProfileWithResponse(ctx)
	must(t, "profile", 200, profile, err, func() []byte { return profile.Body })
	if profile.JSON200.Id != reg.JSON201.Id || profile.JSON200.Email == nil || *profile.JSON200.Email != "taras@example.com" {
		t.Fatalf("profile = %+v, registered %+v", profile.JSON200, reg.JSON201)
	}
}

func loginResponse(t *testing.T, c *client.ClientWithResponses, username, password string) *client.PlatformLoginResponse {
	t.Helper()
	var body client.PlatformLoginJSONRequestBody
	if err := body.FromPlatformPasswordLogin(client.PlatformPasswordLogin{Username: username, Password: password}); err != nil {
		t.Fatal(err)
	}
	r, err := c.PlatformLoginWithResponse(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func login(t *testing.T, c *client.ClientWithResponses, username, password string) *client.TokenPair {
	t.Helper()
	r := loginResponse(t, c, username, password)
	if r.StatusCode() != 200 || r.JSON200 == nil || r.JSON200.AccessToken == "" {
		t.Fatalf("login %s: %d %s", username, r.StatusCode(), r.Body)
	}
	return r.JSON200
}
