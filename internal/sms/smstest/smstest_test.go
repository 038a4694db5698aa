package smstest

import (
	"context"
	"testing"
)

func TestMemoryHandsOutMessagesInOrder(t *testing.T) {
	m := NewMemory()
	for _, txt := range []string{"one", "two"} {
		if err := m.SendSMS(context.Background(), "+77010000000", txt); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := m.Next(t), m.Next(t); a.Text != "one" || b.Text != "two" || m.Len() != 0 {
		t.Fatalf("got %v then %v, %d left", a, b, m.Len())
	}
}
