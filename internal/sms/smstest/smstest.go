// Package smstest captures text messages for tests.
package smstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/sms"
)

// Message is a sent text.
type Message struct{ ID, Phone, Text string }

// Memory keeps sent messages for tests.
type Memory struct{ ch chan Message }

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{ch: make(chan Message, 64)} }

var _ sms.Sender = (*Memory)(nil)

// Send records the message.
func (m *Memory) Send(_ context.Context, msg sms.Message) error {
	select {
	case m.ch <- Message{msg.ID, msg.To, msg.Text}:
		return nil
	default:
		return fmt.Errorf("sms.Memory: more than %d unread messages", cap(m.ch))
	}
}

// Next returns the next message, failing the test when none comes within
// a few seconds (the outbox delivers it in the background, at once when
// woken).
func (m *Memory) Next(t testing.TB) Message {
	t.Helper()
	select {
	case msg := <-m.ch:
		return msg
	case <-time.After(5 * time.Second):
		t.Fatal("sms: no message was sent")
		return Message{}
	}
}

// Len is how many unread messages there are.
func (m *Memory) Len() int { return len(m.ch) }
