package sms

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testSID     = "AC0123456789abcdef0123456789abcdef"
	testService = "MG0123456789abcdef0123456789abcdef"
)

// twilioAt returns the sender a twilio+http:// URL names for the fake f.
func twilioAt(t *testing.T, f *fakeGateway, query string, now func() time.Time) Sender {
	t.Helper()
	s, err := FromURL("twilio+http://"+testSID+"@"+strings.TrimPrefix(f.URL, "http://")+"?"+query, testToken, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTwilioCreatesAMessageWithBasicAuthAndTheCodesRemainingLife(t *testing.T) {
	f := newFakeGateway(t, 201)
	f.answer = `{"sid":"SM0123","status":"queued"}`
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := testMessage
	m.Expires = now.Add(5 * time.Minute)
	if err := twilioAt(t, f, "from=+1 (202) 555-0143", func() time.Time { return now }).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := f.requests()
	if len(got) != 1 {
		t.Fatalf("Twilio received %d requests, want 1", len(got))
	}
	r := got[0]
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testSID+":"+testToken))
	if r.Method != "POST" || r.Path != "/2010-04-01/Accounts/"+testSID+"/Messages.json" ||
		r.ContentType != "application/x-www-form-urlencoded" || r.Authorization != basic {
		t.Fatalf("received %s %s, Content-Type %q, Authorization %q", r.Method, r.Path, r.ContentType, r.Authorization)
	}
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"To": {"+77011234567"}, "From": {"+12025550143"}, "Body": {testMessage.Text}, "ValidityPeriod": {"300"}}
	if form.Encode() != want.Encode() {
		t.Fatalf("form %v, want %v", form, want)
	}
}

func TestTwilioSendsThroughAMessagingServiceWhenNamed(t *testing.T) {
	f := newFakeGateway(t, 201)
	if err := twilioAt(t, f, "messaging_service="+testService, time.Now).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(string(f.requests()[0].Body))
	if err != nil {
		t.Fatal(err)
	}
	if form.Get("MessagingServiceSid") != testService || form.Has("From") || form.Has("ValidityPeriod") {
		t.Fatalf("form %v: want MessagingServiceSid, no From, no ValidityPeriod for a message without expiry", form)
	}
}

func TestTwilioKeepsTheValidityPeriodWithinWhatTwilioAccepts(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for left, want := range map[time.Duration]string{-time.Minute: "1", 500 * time.Millisecond: "1", 20 * time.Hour: "36000"} {
		f := newFakeGateway(t, 201)
		m := testMessage
		m.Expires = now.Add(left)
		if err := twilioAt(t, f, "from=Gatehouse", func() time.Time { return now }).Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		form, _ := url.ParseQuery(string(f.requests()[0].Body))
		if form.Get("ValidityPeriod") != want || form.Get("From") != "Gatehouse" {
			t.Errorf("%v left: form %v, want ValidityPeriod %s", left, form, want)
		}
	}
}

func TestTwilioRefusalsNameTwilioErrorCodeButNotTheNumberOrTheCode(t *testing.T) {
	f := newFakeGateway(t, 400)
	f.answer = `{"code":21211,"message":"The 'To' number +77011234567 is not a valid phone number. Body: 482915","status":400}`
	err := twilioAt(t, f, "from=%2B12025550143", time.Now).Send(context.Background(), testMessage)
	if outcome(err) != "permanent" || !strings.Contains(err.Error(), "21211") {
		t.Fatalf("a 400 of Twilio: %v, want a permanent refusal naming error 21211", err)
	}
	for _, secret := range []string{"7011234567", "482915", testToken} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("the error %q carries %q", err, secret)
		}
	}
	for status, want := range map[int]string{401: "permanent", 429: "retry", 500: "retry", 0: "retry"} {
		f := newFakeGateway(t, status)
		if got := outcome(twilioAt(t, f, "from=Gatehouse", time.Now).Send(context.Background(), testMessage)); got != want {
			t.Errorf("an answer %d of Twilio: %s, want %s", status, got, want)
		}
	}
}
