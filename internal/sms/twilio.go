package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Twilio sends through Twilio's Programmable Messaging REST API, the
// Messages resource (GATEHOUSE_SMS_URL=twilio://…):
//
//	POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json
//	Authorization: Basic base64(AccountSid:AuthToken)
//	Content-Type: application/x-www-form-urlencoded
//
//	To=+77011234567&Body=…&From=+15551234567 (or MessagingServiceSid=MG…)&ValidityPeriod=…
//
// ValidityPeriod (seconds, 1 to 36000) is what is left of the code's life,
// so that Twilio does not deliver a dead code from its queue. Twilio's
// Messages API takes no idempotency key: a retry after a lost answer may
// send the same code twice, which is harmless.
type Twilio struct {
	endpoint string // …/Accounts/{AccountSid}/Messages.json
	account  string
	token    string
	from     string // From, or
	service  string // MessagingServiceSid
	client   *http.Client
	now      func() time.Time
}

// TwilioConfig is what a twilio:// URL says.
type TwilioConfig struct {
	BaseURL          string // https://api.twilio.com, or a Twilio-compatible API (tests: a local fake)
	AccountSID       string
	AuthToken        string
	From             string // an E.164 number, a short code or an alphanumeric sender id; or
	MessagingService string // a Messaging Service SID (MG…)
}

// NewTwilio returns a Twilio sender; now is the clock the messages'
// expiries were set by.
func NewTwilio(c TwilioConfig, now func() time.Time) *Twilio {
	return &Twilio{
		endpoint: strings.TrimRight(c.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(c.AccountSID) + "/Messages.json",
		account:  c.AccountSID, token: c.AuthToken, from: c.From, service: c.MessagingService,
		client: newClient(), now: now,
	}
}

// maxValidity is the longest ValidityPeriod Twilio accepts (10 hours).
const maxValidity = 36000

// Send creates the message. Twilio answers 201 when it accepted it; a
// 408, 429 or 5xx and network failures are temporary; other refusals (400
// with Twilio's error code, 401 bad credentials) are outbox.Permanent.
func (t *Twilio) Send(ctx context.Context, m Message) error {
	form := url.Values{"To": {m.To}, "Body": {m.Text}}
	if t.service != "" {
		form.Set("MessagingServiceSid", t.service)
	} else {
		form.Set("From", t.from)
	}
	if !m.Expires.IsZero() {
		left := int64(m.Expires.Sub(t.now()) / time.Second)
		form.Set("ValidityPeriod", strconv.FormatInt(min(max(left, 1), maxValidity), 10))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("twilio: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(t.account, t.token)
	return post(t.client, req, "twilio", twilioErrorCode)
}

// twilioErrorCode reads the numeric code of Twilio's error answer
// ({"code":21211,"message":…}), which names the cause in Twilio's error
// dictionary. The message is not kept: it may quote the phone number.
func twilioErrorCode(body []byte) string {
	var e struct {
		Code int64 `json:"code"`
	}
	if json.Unmarshal(body, &e) != nil || e.Code <= 0 {
		return ""
	}
	return " (Twilio error " + strconv.FormatInt(e.Code, 10) + ")"
}
