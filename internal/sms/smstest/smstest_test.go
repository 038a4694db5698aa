package smstest

import (
	"context"
	"testing"

	"github.com/gatehouse/gatehouse/internal/sms"
)

func TestMemoryHandsOutMessagesInOrder(t *testing.T) {
	m := NewMemory()
	for _, txt := range []string{"one", "two"} {
		if err := m.Send(context.Background(), sms.Message{To: "+77010000000", Text: txt}); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := m.Next(t), m.Next(t); a.Text != "one" || b.Text != "two" || m.Len() != 0 {
		t.Fatalf("got %v then %v, %d left", a, b, m.Len())
	}
}
