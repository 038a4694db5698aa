package sms

import (
	"context"
	"strings"
	"testing"
)

func TestLogSenderWritesTheWholeMessage(t *testing.T) {
	var b strings.Builder
	if err := NewLogSender(&b).Send(context.Background(), Message{ID: "m1", To: "+77010000000", Text: "code: 123456"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "To: +77010000000\ncode: 123456\n") {
		t.Fatalf("log sender wrote %q", b.String())
	}
}
