package sms

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
)

const testToken = "gw-secret-7f3a9c"

var testMessage = Message{ID: "0b7e8a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b", To: "+77011234567", Text: "Your Gatehouse code: 482915"}

func TestTheGatewayPostsTheMessageAsJSONWithTheBearerToken(t *testing.T) {
	f := newFakeGateway(t, 202)
	if err := NewGateway(f.URL+"/v1/sms?tenant=bank", testToken).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	got := f.requests()
	if len(got) != 1 {
		t.Fatalf("the gateway received %d requests, want 1", len(got))
	}
	r := got[0]
	if r.Method != "POST" || r.Path != "/v1/sms" || r.ContentType != "application/json" || r.Authorization != "Bearer "+testToken {
		t.Fatalf("received %s %s, Content-Type %q, Authorization %q", r.Method, r.Path, r.ContentType, r.Authorization)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	want := map[string]any{"to": testMessage.To, "text": testMessage.Text, "id": testMessage.ID}
	if len(body) != len(want) {
		t.Fatalf("body %s, want exactly the fields to, text, id", r.Body)
	}
	for k, v := range want {
		if body[k] != v {
			t.Fatalf("body field %s = %v, want %v", k, body[k], v)
		}
	}
}

// outcome names how a sender's error classifies.
func outcome(err error) string {
	switch {
	case err == nil:
		return "accepted"
	case outbox.IsPermanent(err):
		return "permanent"
	}
	return "retry"
}

func TestTheGatewayAcceptsAny2xxRetries5xx408429AndDropsAndRefusesTheRestForGood(t *testing.T) {
	cases := map[int]string{
		200: "accepted", 201: "accepted", 202: "accepted", 204: "accepted",
		408: "retry", 429: "retry", 500: "retry", 502: "retry", 503: "retry", 504: "retry",
		0:   "retry", // the connection dropped without an answer
		301: "permanent", 400: "permanent", 401: "permanent", 403: "permanent", 404: "permanent", 422: "permanent",
	}
	for status, want := range cases {
		f := newFakeGateway(t, status)
		err := NewGateway(f.URL, testToken).Send(context.Background(), testMessage)
		if got := outcome(err); got != want {
			t.Errorf("an answer %d: %s (%v), want %s", status, got, err, want)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("an answer %d: the gateway received %d requests, want 1 (the outbox retries, not the sender)", status, n)
		}
	}
}

func TestAnUnreachableGatewayIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = NewGateway("http://"+addr+"/sms", testToken).Send(context.Background(), testMessage)
	if outcome(err) != "retry" {
		t.Fatalf("a closed port: %v, want a temporary failure", err)
	}
}

func TestGatewayErrorsCarryNeitherTheCodeNorTheTokenNorTheURL(t *testing.T) {
	for _, status := range []int{400, 503, 0} {
		f := newFakeGateway(t, status)
		f.answer = `{"error":"rejected","echo":"` + testMessage.Text + `","auth":"` + testToken + `"}`
		err := NewGateway(f.URL+"/send?key=url-part", testToken).Send(context.Background(), testMessage)
		if err == nil {
			t.Fatalf("answer %d: no error", status)
		}
		for _, secret := range []string{"482915", testToken, "url-part"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("answer %d: the error %q carries %q", status, err, secret)
			}
		}
	}
}

func TestTheGatewayFollowsNoRedirect(t *testing.T) {
	target := newFakeGateway(t, 200)
	f := newFakeGateway(t, 307)
	f.Config.Handler = redirectTo(target.URL)
	err := NewGateway(f.URL, testToken).Send(context.Background(), testMessage)
	if outcome(err) != "permanent" || len(target.requests()) != 0 {
		t.Fatalf("a redirect: %v, target got %d requests; want a refusal and nothing sent on", err, len(target.requests()))
	}
}

func TestASendThatOutlivesItsContextFails(t *testing.T) {
	f := newFakeGateway(t, 200)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if err := NewGateway(f.URL, testToken).Send(ctx, testMessage); outcome(err) != "retry" {
		t.Fatalf("a dead context: %v, want a temporary failure", err)
	}
}
