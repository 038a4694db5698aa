package sms

import (
	"context"
	"encoding/json"
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

func TestTheJSONLogSenderWritesOneRecordPerMessage(t *testing.T) {
	var b strings.Builder
	s := NewJSONLogSender(&b, nil)
	for _, text := range []string{"code: 123456", "two\nlines \"quoted\""} {
		if err := s.Send(context.Background(), Message{ID: "m1", To: "+77010000000", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per message:\n%s", len(lines), b.String())
	}
	var rec struct{ Level, Msg, To, Text string }
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil || rec.To != "+77010000000" || rec.Text != "two\nlines \"quoted\"" || rec.Level != "WARN" {
		t.Fatalf("record %q: %+v %v", lines[1], rec, err)
	}
}
