package oidc_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The device authorization grant (RFC 8628) over real HTTP; the person's
// answer is the domain call the /device page makes (the browser test
// drives the page itself).

// deviceRP has a public command-line client "cli" and a confidential
// "tv", both with the device grant, "web" without it, and ann signed up.
type deviceRP struct {
	*rp
	uuid, tvSecret, webSecret string
}

func newDeviceRP(t *testing.T, b testenv.Backend) *deviceRP {
	r := newRP(t, b)
	r.client(bank.ClientSpec{ID: "cli", GrantTypes: []string{bank.GrantDeviceCode, bank.GrantRefreshToken},
		Metadata: bank.Metadata{AuthMethod: bank.AuthNone, Scope: "openid email offline_access"}})
	tv := r.client(bank.ClientSpec{ID: "tv", Confidential: true, GrantTypes: []string{bank.GrantDeviceCode},
		Metadata: bank.Metadata{SkipConsent: true}})
	web := r.client(bank.ClientSpec{ID: "web", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{callback}}})
	return &deviceRP{rp: r, uuid: r.signUp("ann@example.com", "correct horse 1"), tvSecret: tv, webSecret: web}
}

// start asks for a device authorization as the public client cli.
func (d *deviceRP) start(scope string) (deviceCode, userCode string, answer map[string]any) {
	d.t.Helper()
	status, m := d.form("/oauth2/device_authorization", url.Values{"client_id": {"cli"}, "scope": {scope}}, "", "")
	if status != http.StatusOK {
		d.t.Fatalf("device authorization: %d %v", status, m)
	}
	return m["device_code"].(string), m["user_code"].(string), m
}

// poll presents the device code at the token endpoint as cli.
func (d *deviceRP) poll(deviceCode string) (int, map[string]any) {
	d.t.Helper()
	return d.form("/oauth2/token", url.Values{"grant_type": {bank.GrantDeviceCode}, "device_code": {deviceCode}, "client_id": {"cli"}}, "", "")
}

func (d *deviceRP) wantPoll(deviceCode, wantErr string) {
	d.t.Helper()
	if status, m := d.poll(deviceCode); status != http.StatusBadRequest || m["error"] != wantErr {
		d.t.Fatalf("poll: %d %v, want 400 %s", status, m, wantErr)
	}
}

// answer is ann's answer on the page (oauth.DecideDevice).
func (d *deviceRP) answer(userCode string, approve bool) error {
	return d.Srv.OAuth.DecideDevice(d.ctx(), userCode, oauth.Login{AccountID: d.uuid, SessionID: "web-sid",
		AuthTime: d.Clock.Now(), AMR: []string{"pwd"}, UserAgent: "Firefox", IP: "192.0.2.1"}, approve)
}

var userCodeShape = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

func TestADeviceWaitsForTheApprovalThenGetsTokensOnce(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		d := newDeviceRP(t, b)
		dc, uc, m := d.start("openid email offline_access")
		if !userCodeShape.MatchString(uc) || len(dc) < 43 || m["verification_uri"] != d.URL+"/device" ||
			m["verification_uri_complete"] != d.URL+"/device?user_code="+uc || m["expires_in"] != float64(600) || m["interval"] != float64(5) {
			t.Fatalf("device authorization answer %v", m)
		}
		d.wantPoll(dc, "authorization_pending")
		d.wantPoll(dc, "slow_down") // at once again: sooner than the interval
		d.Clock.Advance(9 * time.Second)
		d.wantPoll(dc, "authorization_pending") // 9 s ≥ the interval, now 10 s
		d.Clock.Advance(2 * time.Second)
		d.wantPoll(dc, "slow_down") // 2 s < 10 s

		// Typed as a person might: lower case, no dash.
		if err := d.answer(strings.ToLower(strings.ReplaceAll(uc, "-", "")), true); err != nil {
			t.Fatalf("approval: %v", err)
		}
		if err := d.answer(uc, false); !errors.Is(err, core.ErrUserCode) {
			t.Fatal("a second answer to the same code was taken")
		}
		d.Clock.Advance(15 * time.Second)
		status, tok := d.poll(dc)
		if status != http.StatusOK || tok["access_token"] == nil || tok["refresh_token"] == nil || tok["id_token"] == nil ||
			tok["scope"] != "openid email offline_access" {
			t.Fatalf("poll after the approval: %d %v, want access, refresh and id tokens", status, tok)
		}
		d.Clock.Advance(15 * time.Second)
		d.wantPoll(dc, "invalid_grant") // the device code is spent

		// The grant is a session of its own: its refresh token rotates.
		status, ref := d.form("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
			"client_id": {"cli"}}, "", "")
		if status != http.StatusOK || ref["access_token"] == nil {
			t.Fatalf("refresh of the device's grant: %d %v", status, ref)
		}
		// cli is not skip_consent: the approval was ann's consent.
		u, _ := d.Srv.Identity.UserByUUID(d.ctx(), d.uuid)
		consents, err := d.Srv.OAuth.Consents(d.ctx(), u.ID)
		if err != nil || len(consents) != 1 || consents[0].ClientID != "cli" || consents[0].Scope != "openid email offline_access" {
			t.Fatalf("consents after the approval: %+v (%v)", consents, err)
		}
	})
}

func TestTwoPollersOfOneApprovedDeviceCodeGetOneSetOfTokens(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		d := newDeviceRP(t, b)
		dc, uc, _ := d.start("openid")
		if err := d.answer(uc, true); err != nil {
			t.Fatal(err)
		}
		const pollers = 8
		var wg sync.WaitGroup
		statuses := make(chan string, pollers)
		for range pollers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, m := d.poll(dc)
				if status == http.StatusOK {
					statuses <- "ok"
				} else {
					statuses <- m["error"].(string)
				}
			}()
		}
		wg.Wait()
		close(statuses)
		got := map[string]int{}
		for s := range statuses {
			got[s]++
		}
		if got["ok"] != 1 || got["invalid_grant"] != pollers-1 {
			t.Fatalf("%d concurrent polls of an approved device code: %v, want 1 ok and %d invalid_grant", pollers, got, pollers-1)
		}
	})
}

func TestADeniedDeviceRequestIsAccessDenied(t *testing.T) {
	d := newDeviceRP(t, testenv.SQLite)
	dc, uc, _ := d.start("openid")
	if err := d.answer(uc, false); err != nil {
		t.Fatal(err)
	}
	d.wantPoll(dc, "access_denied")
	if _, err := d.Srv.OAuth.PendingDevice(d.ctx(), uc); !errors.Is(err, core.ErrUserCode) {
		t.Fatalf("the page still finds a denied code: %v", err)
	}
}

func TestAnUnansweredDeviceCodeExpiresForTheDeviceAndThePage(t *testing.T) {
	d := newDeviceRP(t, testenv.SQLite)
	dc, uc, _ := d.start("openid")
	d.Clock.Advance(10*time.Minute + time.Second)
	d.wantPoll(dc, "expired_token")
	if err := d.answer(uc, true); !errors.Is(err, core.ErrUserCode) {
		t.Fatalf("an expired code approved: %v", err)
	}
	d.Clock.Advance(time.Minute)
	d.wantPoll(dc, "expired_token")
}

func TestDeviceRequestsAreRefusedToClientsWithoutTheGrantAndWithWrongCodes(t *testing.T) {
	d := newDeviceRP(t, testenv.SQLite)
	cases := []struct {
		name, id, secret string
		form             url.Values
		status           int
		err              string
	}{
		{"a client without the grant", "web", "", url.Values{}, 400, "unauthorized_client"},
		{"an unknown client", "", "", url.Values{"client_id": {"nobody"}}, 401, "invalid_client"},
		{"a wrong secret", "tv", "wrong", url.Values{}, 401, "invalid_client"},
		{"a confidential client without its secret", "", "", url.Values{"client_id": {"tv"}}, 401, "invalid_client"},
		{"a scope the server does not offer", "", "", url.Values{"client_id": {"cli"}, "scope": {"openid admin"}}, 400, "invalid_scope"},
		{"a scope the client may not ask for", "", "", url.Values{"client_id": {"cli"}, "scope": {"profile"}}, 400, "invalid_scope"},
		{"a parameter given twice", "", "", url.Values{"client_id": {"cli"}, "scope": {"openid", "email"}}, 400, "invalid_request"},
	}
	for _, c := range cases {
		secret := c.secret
		if c.id == "web" {
			secret = d.webSecret
		}
		status, m := d.form("/oauth2/device_authorization", c.form, c.id, secret)
		if status != c.status || m["error"] != c.err || m["device_code"] != nil {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, m, c.status, c.err)
		}
	}
	// A device code is the client's that asked for it.
	dc, uc, _ := d.start("openid")
	if err := d.answer(uc, true); err != nil {
		t.Fatal(err)
	}
	status, m := d.form("/oauth2/token", url.Values{"grant_type": {bank.GrantDeviceCode}, "device_code": {dc}}, "tv", d.tvSecret)
	if status != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("cli's device code presented by tv: %d %v, want invalid_grant", status, m)
	}
	for _, bad := range []string{"", "not-a-device-code", strings.Repeat("x", 300)} {
		d.Clock.Advance(time.Minute)
		d.wantPoll(bad, "invalid_grant")
	}
	// tv's own device flow works; without the refresh_token grant it gets
	// no refresh token even with offline_access, and without openid no
	// id_token; skip_consent: no consent is recorded.
	status, m = d.form("/oauth2/device_authorization", url.Values{"scope": {"email offline_access"}}, "tv", d.tvSecret)
	if status != 200 {
		t.Fatalf("tv's device authorization: %d %v", status, m)
	}
	if err := d.answer(m["user_code"].(string), true); err != nil {
		t.Fatal(err)
	}
	status, tok := d.form("/oauth2/token", url.Values{"grant_type": {bank.GrantDeviceCode}, "device_code": {m["device_code"].(string)}}, "tv", d.tvSecret)
	if status != 200 || tok["access_token"] == nil || tok["refresh_token"] != nil || tok["id_token"] != nil || tok["scope"] != "email offline_access" {
		t.Fatalf("tv's tokens: %d %v, want an access token alone", status, tok)
	}
	u, _ := d.Srv.Identity.UserByUUID(d.ctx(), d.uuid)
	consents, _ := d.Srv.OAuth.Consents(d.ctx(), u.ID)
	for _, c := range consents {
		if c.ClientID == "tv" {
			t.Fatalf("an approval for a skip_consent client recorded %+v", c)
		}
	}
	if len(consents) != 1 { // cli's, approved above
		t.Fatalf("consents %+v, want cli's alone", consents)
	}
}
