package console_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// admin makes an account with the admin role through the core (as
// `gatehouse user create --role admin` does) and returns it and its
// password.
func admin(t *testing.T, env *testenv.Env, email string) (identity.User, string) {
	t.Helper()
	password := "correct horse admin"
	u, err := env.Srv.Identity.AdminCreateUser(context.Background(), identity.Registration{Email: email, Password: password},
		true, []string{identity.AdminRole})
	if err != nil {
		t.Fatal(err)
	}
	return u, password
}

// signIn signs the browser in through the sign-in page from path (which
// sends an anonymous visitor there) and checks that it comes back.
func signIn(t *testing.T, b *webtest.Browser, path, email, password string) {
	t.Helper()
	b.Open(path)
	if got := b.Path(); !strings.HasPrefix(got, "/login?continue=") {
		t.Fatalf("an anonymous visit to %s went to %q, want the sign-in", path, got)
	}
	b.Field("Email", email)
	b.Field("Password", password)
	b.Press("Sign in")
	if got := b.Path(); got != path {
		t.Fatalf("after signing in the browser is at %q, want %s", got, path)
	}
}

// statuses records the HTTP status of every page (document) the browser
// loads, by path.
type statuses struct {
	mu   sync.Mutex
	last map[string]int64
}

func recordStatuses(b *webtest.Browser) *statuses {
	s := &statuses{last: map[string]int64{}}
	chromedp.ListenTarget(b.Ctx, func(ev any) {
		e, ok := ev.(*network.EventResponseReceived)
		if !ok || e.Type != network.ResourceTypeDocument {
			return
		}
		s.mu.Lock()
		s.last[strings.TrimPrefix(e.Response.URL, b.Env.URL)] = e.Response.Status
		s.mu.Unlock()
	})
	b.Run(network.Enable())
	return s
}

func (s *statuses) of(path string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[path]
}

func TestAnAdminLocksAUserWhoIsThenRefusedAtTheSignInPageAndTheAPI(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	root, rootPassword := admin(t, b.Env, "root@example.com")
	bobPassword := webtest.Account(t, b.Env, "bob@example.com")

	signIn(t, b, "/admin", "root@example.com", rootPassword)
	b.Audit()
	b.Field("Search users", "bob")
	b.Press("Search")
	if got := b.Path(); got != "/admin/users?q=bob" {
		t.Fatalf("the search went to %q", got)
	}
	b.Audit()
	b.Run(chromedp.Click(`//a[normalize-space(.)="bob@example.com"]`, chromedp.BySearch),
		chromedp.WaitVisible(`[data-testid=state]`, chromedp.ByQuery))
	bob, err := b.Env.Srv.Identity.FindUser(context.Background(), "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Path(), "/admin/users/"+strconv.FormatInt(bob.ID, 10); got != want {
		t.Fatalf("the search result led to %q, want %q", got, want)
	}
	if got := b.Text(`[data-testid=state]`); got != "Active" {
		t.Fatalf("bob's state reads %q before the lock", got)
	}
	b.Audit()
	b.Press("Lock")
	if got := b.Text(`[data-testid=state]`); got != "Locked" {
		t.Fatalf("bob's state reads %q after the lock", got)
	}
	if got := b.Text(`.notice`); got != "The user is locked and signed out everywhere." {
		t.Fatalf("the notice reads %q", got)
	}

	// The lock is in the audit log, with this admin as its actor.
	actor := "admin:" + strconv.FormatInt(root.ID, 10)
	b.Open("/admin/audit")
	b.Field("Event", "admin.lock")
	b.Field("Actor", actor)
	b.Press("Filter")
	b.Audit()
	var rows []string
	b.Run(chromedp.Evaluate(`[...document.querySelectorAll('tr[data-event]')].map(r => r.dataset.event + ' ' + r.querySelector('[data-testid=actor]').textContent + ' ' + r.textContent.includes('bob@example.com'))`, &rows))
	if len(rows) != 1 || rows[0] != "admin.lock "+actor+" true" {
		t.Fatalf("the audit log filtered by event and actor shows %q, want bob's lock by %s", rows, actor)
	}

	// Bob is refused at the sign-in page, in a browser of his own…
	other := webtest.Attach(t, b.Env, webtest.Chromium(t))
	other.Open("/login")
	other.Field("Email", "bob@example.com")
	other.Field("Password", bobPassword)
	other.Press("Sign in")
	var page string
	other.Run(chromedp.Text("main", &page, chromedp.ByQuery))
	if !strings.Contains(page, "This account is locked.") || strings.HasPrefix(other.Path(), "/account") {
		t.Fatalf("a locked user's sign-in ended at %q showing %q", other.Path(), page)
	}
	// …and at the API.
	r := b.Env.For(t).Do("POST", "/v1/auth/login", map[string]string{"username": "bob@example.com", "password": bobPassword})
	if r.Status != http.StatusForbidden || r.Map(t)["error"] != "account_locked" {
		t.Fatalf("a locked user's API sign-in: %d %s", r.Status, r.Body)
	}
}

func TestAUserWithoutTheAdminRoleGets403AtTheConsole(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	password := webtest.Account(t, b.Env, "ann@example.com")
	seen := recordStatuses(b)
	signIn(t, b, "/admin", "ann@example.com", password)
	if got := seen.of("/admin"); got != http.StatusForbidden {
		t.Fatalf("/admin answered a non-admin %d, want 403", got)
	}
	if got := b.Text("h1"); got != "Not allowed" {
		t.Fatalf("the page says %q", got)
	}
	b.Audit()
	b.Open("/admin/users")
	if got := seen.of("/admin/users"); got != http.StatusForbidden {
		t.Fatalf("/admin/users answered a non-admin %d, want 403", got)
	}
}

func TestAConsoleFormWithAForgedCSRFTokenIsRefusedAndChangesNothing(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, rootPassword := admin(t, b.Env, "root@example.com")
	webtest.Account(t, b.Env, "bob@example.com")
	bob, err := b.Env.Srv.Identity.FindUser(context.Background(), "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	seen := recordStatuses(b)
	path := "/admin/users/" + strconv.FormatInt(bob.ID, 10)
	signIn(t, b, path, "root@example.com", rootPassword)
	// A token sealed for another browser: a forged one.
	b.Run(chromedp.Evaluate(`document.querySelectorAll('input[name=csrf]').forEach(i => i.value = i.value.slice(0, -4) + 'AAAA')`, nil))
	b.Press("Lock")
	if got := seen.of(path + "/lock"); got != http.StatusForbidden {
		t.Fatalf("the forged form answered %d, want 403", got)
	}
	if got := b.Text("[role=alert]"); !strings.Contains(got, "expired or came from another site") {
		t.Fatalf("the refusal reads %q", got)
	}
	b.Audit()
	if u, err := b.Env.Srv.Identity.FindUser(context.Background(), "bob@example.com"); err != nil || u.Locked() {
		t.Fatalf("after the refused form bob is locked=%v (%v)", u.Locked(), err)
	}
	_, n, err := b.Env.Srv.Identity.AuditLog(context.Background(), identity.AuditFilter{Type: identity.AuditAdminLock})
	if err != nil || n != 0 {
		t.Fatalf("%d lock events after the refused form (%v)", n, err)
	}
}

func TestKeyRotationHappensOnlyAfterItsConfirmationStep(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	root, password := admin(t, b.Env, "root@example.com")
	signIn(t, b, "/admin/keys", "root@example.com", password)
	b.Audit()
	rotations := func() []identity.AuditEvent {
		list, _, err := b.Env.Srv.Identity.AuditLog(context.Background(), identity.AuditFilter{Type: identity.AuditAdminKeysRotated})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	b.Press("Rotate signing key")
	if got := b.Path(); !strings.HasPrefix(got, "/admin/keys/confirm") {
		t.Fatalf("the rotation's first step went to %q", got)
	}
	b.Audit()
	if n := len(rotations()); n != 0 {
		t.Fatalf("%d rotations before the confirmation", n)
	}
	b.Press("Yes, rotate the key")
	kid := b.Text(`[data-testid=rotated] dd`)
	list := rotations()
	if len(list) != 1 || list[0].Subject != kid || list[0].Actor != "admin:"+strconv.FormatInt(root.ID, 10) || list[0].Detail["immediate"] != "false" {
		t.Fatalf("after the confirmation the page shows kid %q and the log holds %+v", kid, list)
	}
	b.Audit()
}

func TestARefusedRoleListIsExplainedNextToItsField(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, password := admin(t, b.Env, "root@example.com")
	webtest.Account(t, b.Env, "bob@example.com")
	bob, err := b.Env.Srv.Identity.FindUser(context.Background(), "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, b, "/admin/users/"+strconv.FormatInt(bob.ID, 10), "root@example.com", password)
	b.Field("Roles", "cashier, not a role!")
	b.Press("Save roles")
	if got := b.Text("#roles-error"); !strings.HasPrefix(got, "Role names are 1–64 letters") {
		t.Fatalf("the roles field's error reads %q", got)
	}
	var invalid string
	b.Run(chromedp.AttributeValue("#roles", "aria-invalid", &invalid, nil, chromedp.ByQuery))
	if invalid != "true" {
		t.Fatalf("the refused field is not marked invalid (%q)", invalid)
	}
	b.Audit()
	if u, _ := b.Env.Srv.Identity.FindUser(context.Background(), "bob@example.com"); len(u.Roles) != 0 {
		t.Fatalf("the refused form changed the roles to %v", u.Roles)
	}
	b.Field("Roles", "cashier, auditor")
	b.Press("Save roles")
	if u, _ := b.Env.Srv.Identity.FindUser(context.Background(), "bob@example.com"); strings.Join(u.Roles, ",") != "auditor,cashier" {
		t.Fatalf("the roles are %v, want auditor and cashier", u.Roles)
	}
}

// TestEveryConsolePageIsAccessibleAndFitsA360PixelScreen visits each page
// with something in it, on a desktop and on a phone: axe finds nothing
// serious, and at 360 px nothing but a table's own scrolling region is
// wider than the screen.
func TestEveryConsolePageIsAccessibleAndFitsA360PixelScreen(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, password := admin(t, b.Env, "root@example.com")
	ctx := context.Background()
	srv := b.Env.Srv
	webtest.Account(t, b.Env, "bob@example.com")
	bob, _ := srv.Identity.FindUser(ctx, "bob@example.com")
	cust, err := srv.Bank.CreateCustomer(ctx, bank.Customer{Name: "Acme LLP", ExternalID: "A-1"})
	if err != nil {
		t.Fatal(err)
	}
	role, err := srv.Bank.CreateCustomerRole(ctx, bank.CustomerRole{Code: "DIRECTOR", Name: "Director", Chains: [][]string{{"TOTP"}, {"OTP_SMS"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Bank.SetMembership(ctx, bob.ID, cust.ID, role.ID); err != nil {
		t.Fatal(err)
	}
	reg, err := srv.Cashdesk.CreateRegister(ctx, "4000123456", "Till 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Cashdesk.AssignRegister(ctx, reg.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Cashdesk.CreateDeveloper(ctx, "Till Software Ltd"); err != nil {
		t.Fatal(err)
	}

	pages := map[string]string{ // path → its h1
		"/admin": "Admin console", "/admin/users?q=example": "Users", "/admin/users/" + strconv.FormatInt(bob.ID, 10): "bob@example.com",
		"/admin/customers": "Customers", "/admin/customers/" + strconv.FormatInt(cust.ID, 10): "Acme LLP",
		"/admin/roles": "Customer roles", "/admin/roles/" + strconv.FormatInt(role.ID, 10): "DIRECTOR", "/admin/clients": "Clients", "/admin/registers": "Cash registers",
		"/admin/developers": "Developers", "/admin/keys": "Signing keys", "/admin/keys/confirm?immediate=on": "Rotate the signing key?",
		"/admin/audit": "Audit log", "/admin/clients/WEB": "Client WEB", "/admin/clients/WEB/delete": "Delete the client",
	}
	signIn(t, b, "/admin", "root@example.com", password)
	for _, v := range []webtest.Viewport{webtest.Desktop, webtest.Phone} {
		b.Viewport(v)
		for path, h1 := range pages {
			b.Open(path)
			if got := b.Text("h1"); got != h1 {
				t.Errorf("%s at %dpx: h1 %q, want %q", path, v.Width, got, h1)
			}
			b.Audit()
			var width int64
			b.Run(chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
			if width > v.Width {
				t.Errorf("%s at %dpx is %dpx wide", path, v.Width, width)
			}
		}
	}
}

func TestTheConsoleSpeaksRussianAndUkrainian(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	_, password := admin(t, b.Env, "root@example.com")
	signIn(t, b, "/admin", "root@example.com", password)
	for lang, h1 := range map[string]string{"ru": "Консоль администратора", "uk": "Консоль адміністратора", "en": "Admin console"} {
		b.Open("/admin?lang=" + lang)
		if got := b.Text("h1"); got != h1 {
			t.Errorf("?lang=%s: h1 %q, want %q", lang, got, h1)
		}
	}
}
