package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheResetMailListsATrustedDeviceWithoutAName: a device trusted with
// no name, from a client that sent no User-Agent, has an empty name. The
// reset that removes it still tells the owner, as an unnamed device with
// when it was trusted, beside the named ones.
func TestTheResetMailListsATrustedDeviceWithoutAName(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, quiet())
		const email = "zoe@example.com"
		k := newBankUser(t, e, email, "zoe's password")
		trust := func(fp, name string) {
			t.Helper()
			hdr := []string{"Device-Fingerprint", fp, "User-Agent", ""}
			s2 := k.toStep2(t, email, "zoe's password", hdr...)
			full := accessOf(t, k.grant(s2, url.Values{"grant_type": {"otp"}, "otp": {k.sendSMS(t, s2, hdr...)}}, hdr...))
			path := "/auth/oauth/devices"
			if name != "" {
				path += "?name=" + url.QueryEscape(name)
			}
			if r := e.Do("POST", path, nil, append(bearer(full), hdr...)...); r.Status != 201 || r.Map(t)["name"] != name {
				t.Fatalf("trust %q: %d %s", name, r.Status, r.Body)
			}
		}
		trusted := e.Clock.Now().UTC().Format("2006-01-02 15:04 UTC")
		trust("fp-unnamed", "")
		trust("fp-named", "work laptop")

		reset(t, e, email, "zoe's new password", nil)
		m := e.Mail.Next(t, testenv.MailTimeout)
		if !strings.Contains(m.Text, "trusted devices removed: work laptop\n") ||
			!strings.Contains(m.Text, "unnamed trusted devices removed, trusted on: "+trusted+"\n") {
			t.Fatalf("the reset mail does not list the unnamed device:\n%s", m.Text)
		}
		if !strings.Contains(m.HTML, "trusted on: "+trusted) {
			t.Fatalf("the HTML part does not list the unnamed device:\n%s", m.HTML)
		}
	})
}
