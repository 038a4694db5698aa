package account_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// cashdeskShift opens (or, with a shift id, closes) a shift through the
// cashdesk door as a till does, and returns the shift's id.
func cashdeskShift(t *testing.T, e *testenv.Env, token string, registerID int64, close string) string {
	t.Helper()
	path, body, want := "/api/v2/shifts", any(map[string]int64{"register_id": registerID}), http.StatusCreated
	if close != "" {
		path, body, want = "/api/v2/shifts/"+close+"/close", nil, http.StatusOK
	}
	r := e.For(t).Do("POST", path, body, "Authorization", token)
	if r.Status != want {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	return r.Map(t)["id"].(string)
}

// till signs the cashier in at the cashdesk door (its token's
// Authorization value).
func till(t *testing.T, e *testenv.Env) string {
	t.Helper()
	r := e.For(t).Do("POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com", "password": password})
	if r.Status != http.StatusOK {
		t.Fatalf("authenticate: %d %s", r.Status, r.Body)
	}
	return r.Map(t)["token"].(string)
}

func TestTheShiftHistoryShowsShiftsOpenedAndClosedAtTheCashdeskDoorNewestFirstAPageAtATime(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	u := owner(t, b, "ivan@example.com")
	ctx := context.Background()
	cash := b.Env.Srv.Cashdesk
	reg, err := cash.CreateRegister(ctx, "4000123456", "Front till")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cash.AssignRegister(ctx, reg.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	b.Open("/account/shifts")
	if got := b.Text("main"); !strings.Contains(got, "You have had no shift yet.") {
		t.Fatalf("an empty history reads %q", got)
	}
	b.Audit()

	// The till signs in at the cashdesk door and opens and closes a shift.
	first := cashdeskShift(t, b.Env, till(t, b.Env), reg.ID, "")
	b.Env.Clock.Advance(8 * time.Hour)
	cashdeskShift(t, b.Env, till(t, b.Env), reg.ID, first)
	// Twenty more, so that the first is on the second page…
	for range 20 {
		b.Env.Clock.Advance(time.Hour)
		sh, err := cash.OpenShift(ctx, u.ID, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		b.Env.Clock.Advance(time.Hour)
		if _, err := cash.CloseShift(ctx, u.ID, sh.ID); err != nil {
			t.Fatal(err)
		}
	}
	// …and one open now, first on the first.
	b.Env.Clock.Advance(time.Hour)
	cashdeskShift(t, b.Env, till(t, b.Env), reg.ID, "")

	b.Open("/account/shifts")
	rows := func() []string {
		var out []string
		b.Run(chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=shift-row]')].map(r => [...r.cells].map(c => c.textContent.trim()).join('|'))`, &out))
		return out
	}
	page := rows()
	if len(page) != 20 || !strings.HasPrefix(page[0], "4000123456|Front till|") || !strings.HasSuffix(page[0], "|Open now") {
		t.Fatalf("the first page shows %d rows, the first %q", len(page), page)
	}
	b.Audit()
	b.Run(chromedp.Click(`a[rel=next]`, chromedp.ByQuery), chromedp.WaitVisible(`a[rel=prev]`, chromedp.ByQuery))
	page = rows()
	opened := b.Env.Clock.Now().Add(-(8 + 41) * time.Hour).UTC()
	want := "4000123456|Front till|" + opened.Format("2006-01-02 15:04 UTC") + "|" + opened.Add(8*time.Hour).Format("2006-01-02 15:04 UTC")
	if len(page) != 2 || page[1] != want {
		t.Fatalf("the second page shows %q, want the first shift last: %q", page, want)
	}
	if got := b.Text(".paging p"); got != "21–22 of 22" {
		t.Fatalf("the paging reads %q", got)
	}
	b.Viewport(webtest.Phone)
	b.Audit()
	var width int64
	b.Run(chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
	if width > webtest.Phone.Width {
		t.Fatalf("the history is %dpx wide on a phone", width)
	}
}

func TestTheOwnerRemovesABlockchainAddressAndNotAnotherUsers(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	u := owner(t, b, "ada@example.com")
	ctx := context.Background()
	id := b.Env.Srv.Identity
	const keep, gone = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
	for _, a := range []string{keep, gone} {
		if _, err := id.AddAddress(ctx, u.ID, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	other, err := id.AdminCreateUser(ctx, identity.Registration{Email: "eve@example.com", Password: password}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := id.AddAddress(ctx, other.ID, gone, "")
	if err != nil {
		t.Fatal(err)
	}
	b.Open("/account/addresses")
	b.Audit()
	b.Run(chromedp.Click(`li[data-address="`+gone+`"] button`, chromedp.ByQuery), chromedp.WaitVisible(`.notice`, chromedp.ByQuery))
	if got := b.Text(".notice"); got != "The address is removed." {
		t.Fatalf("the notice reads %q", got)
	}
	if n := count(b, "li[data-address]"); n != 1 || count(b, `li[data-address="`+keep+`"]`) != 1 {
		t.Fatalf("after the removal the page lists %d addresses", n)
	}
	b.Audit()
	// The platform API's profile says the same.
	list, err := id.Addresses(ctx, u.ID)
	if err != nil || len(list) != 1 || list[0].Address != keep {
		t.Fatalf("the owner's addresses: %+v (%v)", list, err)
	}
	// Another user's address id, posted with this browser's valid form: 404, nothing removed.
	b.Run(chromedp.SetAttributeValue(`li[data-address] form`, "action", "/account/addresses/"+theirs.ID+"/remove", chromedp.ByQuery))
	b.Press("Remove")
	if got := b.Text("[role=alert]"); got != "There is no such page." {
		t.Fatalf("removing another user's address shows %q", got)
	}
	if l, _ := id.Addresses(ctx, other.ID); len(l) != 1 {
		t.Fatalf("the other user's addresses: %+v", l)
	}
}

func TestTheShiftHistorySpeaksEveryLanguage(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	owner(t, b, "lev@example.com")
	for lang, h1 := range map[string]string{"en": "Shift history", "ru": "История смен", "uk": "Історія змін"} {
		b.Open("/account/shifts?lang=" + lang)
		if got := b.Text("h1"); got != h1 {
			t.Errorf("?lang=%s: h1 %q, want %q", lang, got, h1)
		}
		b.Audit()
	}
}
