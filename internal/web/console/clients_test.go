package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// authenticates reports whether the standard door takes id and secret
// (client_secret_basic at the introspection endpoint: 200 for a client
// that authenticated, 401 otherwise).
func authenticates(t *testing.T, env *testenv.Env, id, secret string) bool {
	t.Helper()
	req, _ := http.NewRequest("POST", env.URL+"/oauth2/introspect", strings.NewReader("token=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func TestAnAdminRegistersEditsRotatesAndDeletesAClientInTheConsole(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	root, password := admin(t, b.Env, "root@example.com")
	ctx := context.Background()
	bank := b.Env.Srv.Bank
	signIn(t, b, "/admin/clients", "root@example.com", password)
	b.Audit()

	// A refused registration shows why next to the field and registers nothing.
	b.Field("Client ID", "grafana")
	b.Field("Redirect URIs (one per line)", "/relative")
	b.Press("Register client")
	if got := b.Text("#redirect_uris-error"); !strings.Contains(got, "absolute URI") {
		t.Fatalf("a relative redirect URI: the field says %q", got)
	}
	b.Audit()
	if _, err := bank.Client(ctx, "grafana"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("a refused form registered the client: %v", err)
	}

	b.Field("Client ID", "grafana")
	b.Field("Client name", "Grafana")
	b.Field("Redirect URIs (one per line)", "https://grafana.example/login/generic_oauth\nhttps://grafana.example/cb")
	b.Field("Post-logout redirect URIs (one per line)", "https://grafana.example/login")
	b.Field("Scope it may ask for (empty: any)", "openid email")
	b.Run(chromedp.Click("#skip_consent", chromedp.ByQuery))
	b.Press("Register client")
	secret := b.Text("[data-secret]")
	if len(secret) != 43 {
		t.Fatalf("the new client's secret reads %q", secret)
	}
	b.Audit()
	cl, err := bank.Client(ctx, "grafana")
	if err != nil || cl.Name != "Grafana" || len(cl.RedirectURIs) != 2 || cl.PostLogoutRedirectURIs[0] != "https://grafana.example/login" ||
		!cl.SkipConsent || cl.Scope != "openid email" || cl.Method() != "client_secret_basic" {
		t.Fatalf("the registered client: %+v (%v)", cl, err)
	}
	if !authenticates(t, b.Env, "grafana", secret) {
		t.Fatal("the secret shown once does not authenticate the client")
	}

	b.Run(chromedp.Click(`//a[normalize-space(.)="Continue to the client"]`, chromedp.BySearch), chromedp.WaitVisible(`#client_name`, chromedp.ByQuery))
	if got := b.Path(); got != "/admin/clients/grafana" {
		t.Fatalf("continue went to %q", got)
	}
	b.Audit()
	b.Field("Client name", "Grafana (prod)")
	b.Press("Save client")
	if got := b.Text(".notice"); got != "The client is saved." {
		t.Fatalf("the notice after saving reads %q", got)
	}
	if cl, _ = bank.Client(ctx, "grafana"); cl.Name != "Grafana (prod)" || len(cl.RedirectURIs) != 2 || !cl.SkipConsent {
		t.Fatalf("after the edit: %+v", cl)
	}

	b.Press("Give a new secret")
	rotated := b.Text("[data-secret]")
	if len(rotated) != 43 || rotated == secret {
		t.Fatalf("the rotated secret reads %q", rotated)
	}
	b.Audit()
	if authenticates(t, b.Env, "grafana", secret) || !authenticates(t, b.Env, "grafana", rotated) {
		t.Fatal("after the rotation the old secret must fail and the new one work")
	}

	b.Open("/admin/clients/grafana")
	b.Run(chromedp.Click(`//a[normalize-space(.)="Delete client"]`, chromedp.BySearch), chromedp.WaitReady("form", chromedp.ByQuery))
	b.Audit()
	b.Press("Yes, delete the client")
	if got := b.Text(".notice"); got != "The client is deleted." || b.Path() != "/admin/clients?done=client_deleted" {
		t.Fatalf("after the deletion the browser is at %q with notice %q", b.Path(), got)
	}
	if _, err := bank.Client(ctx, "grafana"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("the deleted client: %v", err)
	}

	// Every change is audited with this admin as its actor.
	events, _, err := b.Env.Srv.Identity.AuditLog(ctx, identity.AuditFilter{Type: identity.AuditAdminClient,
		Actor: "admin:" + strconv.FormatInt(root.ID, 10)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Detail["action"])
	}
	if got := strings.Join(actions, " "); got != "deleted secret_rotated updated created" {
		t.Fatalf("the admin's audited client changes, newest first: %q", got)
	}
}

func TestAClientFormWithoutItsCSRFTokenChangesNothing(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	for _, path := range []string{"/admin/clients", "/admin/clients/WEB", "/admin/clients/WEB/secret", "/admin/clients/WEB/delete"} {
		res, err := http.PostForm(env.URL+path, url.Values{"client_id": {"evil"}, "redirect_uris": {"https://evil.example/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a CSRF token: %d, want 403", path, res.StatusCode)
		}
	}
	list, err := env.Srv.Bank.Clients(context.Background())
	if err != nil || len(list) != 1 || list[0].ID != "WEB" {
		t.Fatalf("the registry after forged posts: %v (%v)", list, err)
	}
}
