package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	texttemplate "text/template"
)

// The kinds of message Gatehouse sends.
const (
	KindConfirmEmail    = "confirm_email"    // data: code, link
	KindResetPassword   = "reset_password"   // data: token, link
	KindPasswordChanged = "password_changed" // data: none required
	KindNewDevice       = "new_device"       // data: device, ip, time
	KindAccountLocked   = "account_locked"   // data: until
	KindOTPCode         = "otp_code"         // data: code
	KindAPIKeyCreated   = "api_key_created"  // data: key_name, prefix, time; optional ip
	KindExternalToken   = "external_token"   // data: time; optional audience, ip
	KindTOTPEnrolled    = "totp_enrolled"    // data: ip, time
	KindTOTPRemoved     = "totp_removed"     // data: ip, time
	KindEmailChanged    = "email_changed"    // data: new_email; sent to the old address
)

// password_changed also lists, when present, what went with the old
// password: sessions (a count), api_keys and devices (names).

// Every template may also use the optional fields name and email; they
// render as nothing when absent.

// required lists the data fields each kind cannot do without. A mail that
// lacks its code is worse than no mail, so Render refuses it.
var required = map[string][]string{
	KindConfirmEmail:    {"code", "link"},
	KindResetPassword:   {"token", "link"},
	KindPasswordChanged: nil,
	KindNewDevice:       {"device", "ip", "time"},
	KindAccountLocked:   {"until"},
	KindOTPCode:         {"code"},
	KindAPIKeyCreated:   {"key_name", "prefix", "time"},
	KindExternalToken:   {"time"},
	KindTOTPEnrolled:    {"ip", "time"},
	KindTOTPRemoved:     {"ip", "time"},
	KindEmailChanged:    {"new_email"},
}

// Kinds returns every kind Render knows, for tests and documentation.
func Kinds() []string {
	return []string{KindConfirmEmail, KindResetPassword, KindPasswordChanged,
		KindNewDevice, KindAccountLocked, KindOTPCode, KindAPIKeyCreated, KindExternalToken,
		KindTOTPEnrolled, KindTOTPRemoved, KindEmailChanged}
}

// Locales are the languages the templates are written in; the first is the
// fallback.
func Locales() []string { return slices.Clone(locales) }

var locales = []string{"en", "ru", "uk"}

var (
	// ErrUnknownKind is returned by Render for a kind it has no template for.
	ErrUnknownKind = errors.New("unknown mail kind")
	// ErrMissingData is returned by Render when a required field is empty.
	ErrMissingData = errors.New("missing mail data")
)

// Message is a rendered e-mail. It is what the outbox seals and stores, so
// the JSON names are part of the stored format.
type Message struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// ID is the Message-ID (RFC 5322 §3.6.4, without the angle brackets)
	// the outbox gives each queued mail: every attempt at one mail, by any
	// node, carries the same one, so a receiver can drop a duplicate of a
	// mail delivered twice (at least once: a node that dies after sending
	// and before recording it). Not stored: it is made from the outbox row.
	ID string `json:"-"`
}

//go:embed templates
var templateFS embed.FS

// templateSet is the parsed templates of one locale.
type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// sets is parsed once at start from embedded files: the templates are part
// of the binary, so a parse error is a build defect and panics at init
// (every test run catches it).
var sets = loadTemplates()

func loadTemplates() map[string]templateSet {
	out := make(map[string]templateSet, len(locales))
	for _, loc := range locales {
		// missingkey=zero: optional fields (name, email) render as nothing
		// instead of "<no value>"; required ones are checked before.
		t := texttemplate.Must(texttemplate.New(loc).Option("missingkey=zero").
			ParseFS(templateFS, "templates/"+loc+".txt"))
		h := htmltemplate.Must(htmltemplate.New(loc).Option("missingkey=zero").
			ParseFS(templateFS, "templates/layout.html", "templates/"+loc+".html"))
		out[loc] = templateSet{text: t, html: h}
	}
	return out
}

// Locale maps a language tag to a supported locale: "ru", "ru-RU" and
// "RU_ru" give "ru"; anything unsupported gives "en".
func Locale(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	for _, l := range locales {
		if l == tag {
			return l
		}
	}
	return locales[0]
}

// Render renders a message of kind in locale (see Locale) with data. It
// returns ErrUnknownKind for an unknown kind and ErrMissingData when a
// field the kind requires is empty. For reset_password a "code" field
// stands in for "token" when no token is given, since identity.Mailer names
// the mailed secret "code" for every kind. The key "lang" is reserved.
func Render(kind, locale string, data map[string]string) (msg Message, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("mail.Render(%q, %q): %w", kind, locale, err)
		}
	}()
	need, ok := required[kind]
	if !ok {
		return Message{}, ErrUnknownKind
	}
	d := make(map[string]string, len(data)+2)
	for k, v := range data {
		d[k] = v
	}
	if kind == KindResetPassword && d["token"] == "" {
		d["token"] = d["code"]
	}
	for _, f := range need {
		if strings.TrimSpace(d[f]) == "" {
			return Message{}, fmt.Errorf("%w: %s", ErrMissingData, f)
		}
	}
	loc := Locale(locale)
	d["lang"] = loc
	set := sets[loc]

	var subj, text, html bytes.Buffer
	if err := set.text.ExecuteTemplate(&subj, kind+".subject", d); err != nil {
		return Message{}, err
	}
	if err := set.text.ExecuteTemplate(&text, kind+".text", d); err != nil {
		return Message{}, err
	}
	if err := set.html.ExecuteTemplate(&html, kind+".html", d); err != nil {
		return Message{}, err
	}
	return Message{
		Subject: strings.TrimSpace(subj.String()),
		Text:    text.String(),
		HTML:    html.String(),
	}, nil
}
