package identity

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
)

const testIssuer = "https://id.example.com/auth"

func TestFirstPartyIsTheIssuersAudienceTypJWTAndAFirstPartyDoor(t *testing.T) {
	s := &Service{Policy: Policy{Issuer: testIssuer}}
	cases := []struct {
		typ, aud, door string
		want           bool
	}{
		{"JWT", testIssuer, "platform", true},
		{"JWT", testIssuer, "bank", true},
		{"JWT", testIssuer, "cashdesk", true},
		{"JWT", testIssuer, "web", true},
		{"jwt", testIssuer, "platform", true}, // RFC 7515 §4.1.9: no case
		{"JWT", "", "platform", true},         // signed before the audience rule
		{"JWT", "", "cashdesk", true},
		{"JWT", "", ExternalDoor, false}, // a legacy token of another service
		{"JWT", testIssuer, ExternalDoor, false},
		{"JWT", testIssuer, "", false},
		{"JWT", testIssuer, "oidc", false},
		{"JWT", "https://partner.example", "platform", false},
		{"JWT", ExternalAudience, "platform", false},
		{"JWT", testIssuer + "/", "platform", false}, // exactly the issuer
		{"JWT", strings.ToUpper(testIssuer), "platform", false},
		{"JWT", testIssuer + "/oauth2/userinfo", "platform", false},
		{"at+jwt", testIssuer, "platform", false}, // an OAuth access token of another kind (RFC 9068)
		{"", testIssuer, "platform", false},
	}
	for _, c := range cases {
		got := s.FirstParty(Claims{Type: c.typ, Audience: c.aud}, Session{Door: c.door})
		if got != c.want {
			t.Errorf("typ %q aud %q door %q: FirstParty = %v, want %v", c.typ, c.aud, c.door, got, c.want)
		}
	}
}

func TestEveryTokenOfASessionNamesItsAudience(t *testing.T) {
	s := &Service{Policy: Policy{Issuer: testIssuer}}
	cases := []struct {
		sess Session
		want string
	}{
		{Session{Door: "platform"}, testIssuer},
		{Session{Door: "bank", Pending: true}, testIssuer},
		{Session{Door: "cashdesk"}, testIssuer},
		{Session{Door: ExternalDoor, Audience: "https://partner.example"}, "https://partner.example"},
		{Session{Door: ExternalDoor}, ExternalAudience}, // opened before the rule
	}
	for _, c := range cases {
		if got := s.audienceOf(c.sess); got != c.want {
			t.Errorf("%s session: aud %q, want %q", c.sess.Door, got, c.want)
		}
	}
}

func TestCheckAudienceRefusesGatehouseAndAnythingUnderIt(t *testing.T) {
	s := &Service{Policy: Policy{Issuer: testIssuer}}
	refused := []string{
		testIssuer, testIssuer + "/", testIssuer + "/oauth2/userinfo", testIssuer + "?x", testIssuer + "//",
		"HTTPS://ID.EXAMPLE.COM/AUTH", "https://id.example.com./auth", "https://id.example.com:443/auth",
		"https://id.example.com:0443/auth/x", "http://id.example.com/auth", "wss://id.example.com/auth/x",
		"https://id.example.com/%61uth", "https://id.example.com/x/../auth", "https://id.example.com/auth/%2e%2e/auth",
		"https://id.example.com//auth", "https://id.example.com/auth%2Fx",
	}
	malformed := []string{
		"", "partner", "/auth", "//id.example.com/auth", "https://user@partner.example", "https://id.example.com@partner.example",
		"https://partner.example#frag", "https:partner.example", `https:\\partner.example`, "https://partner.example/a b",
		"https://partner.example/\x00", "https://partner.example/\xff", "https://partnér.example", "https://",
		"https://partner.example:65536", "https://partner.example:x", "http://2130706433/", "http://127.1/",
		"http://0x7f.0.0.1/", "http://1.2.3.0x4/", "http://01.2.3.4/", "https://partner.example/" + strings.Repeat("a", 200),
		"https://partner.example/<script>", `https://partner.example\@id.example.com`,
	}
	accepted := []string{
		"https://partner.example", "https://partner.example/api", "urn:partner:billing", "https://id.example.com/authx",
		"https://id.example.com/other", "https://id.example.com:8443/auth", "https://auth.id.example.com/auth",
		"https://id.example.com.partner.example/auth", "http://127.0.0.1:8080/", "https://[2001:db8::1]/", "ws://partner.example/socket",
		ExternalAudience,
	}
	for _, aud := range append(refused, malformed...) {
		err := s.CheckAudience("audience", aud)
		if e, ok := err.(*core.Error); !ok || e.Code != "invalid_audience" || e.Field != "audience" || e.Kind != core.KindInvalid {
			t.Errorf("%q: %v, want invalid_audience naming the field", aud, err)
		}
	}
	for _, aud := range accepted {
		if err := s.CheckAudience("audience", aud); err != nil {
			t.Errorf("%q refused: %v", aud, err)
		}
	}
}

func TestCheckAudienceComparesWithAnIssuerWithoutPath(t *testing.T) {
	s := &Service{Policy: Policy{Issuer: "http://127.0.0.1:8080"}}
	for _, aud := range []string{"http://127.0.0.1:8080/anything", "https://127.0.0.1:8080", "http://[::ffff:127.0.0.1]:8080/", "http://127.0.0.1:08080"} {
		if s.CheckAudience("resource", aud) == nil {
			t.Errorf("%q accepted", aud)
		}
	}
	for _, aud := range []string{"http://127.0.0.1:8081", "http://127.0.0.1/", "https://127.0.0.1/", "http://127.0.0.2:8080"} {
		if err := s.CheckAudience("resource", aud); err != nil {
			t.Errorf("%q refused: %v", aud, err)
		}
	}
}

// FuzzCheckAudience: an accepted audience is short printable ASCII and
// never the issuer, nor a string that starts with it at a boundary; every
// refusal is typed and names the field.
func FuzzCheckAudience(f *testing.F) {
	for _, s := range []string{testIssuer, testIssuer + "/x", "https://partner.example", "urn:a:b", "HTTPS://Id.Example.Com./Auth",
		"https://id.example.com:443/%61uth", "http://2130706433/", "https://u@id.example.com/auth", "\xff", ""} {
		f.Add(s)
	}
	s := &Service{Policy: Policy{Issuer: testIssuer}}
	f.Fuzz(func(t *testing.T, aud string) {
		err := s.CheckAudience("audience", aud)
		if err != nil {
			if e, ok := err.(*core.Error); !ok || e.Field != "audience" || e.Kind != core.KindInvalid {
				t.Fatalf("%q: untyped refusal %v", aud, err)
			}
			return
		}
		low, iss := strings.ToLower(aud), strings.ToLower(testIssuer)
		if len(aud) > audienceMax || !utf8.ValidString(aud) || strings.ContainsFunc(aud, notURIChar) {
			t.Fatalf("%q accepted", aud)
		}
		if rest, ok := strings.CutPrefix(low, iss); ok && (rest == "" || strings.ContainsAny(rest[:1], "/?")) {
			t.Fatalf("%q names the issuer and was accepted", aud)
		}
	})
}
