package mail

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/outbox/outboxtest"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

// newDeviceData is a sign-in's new-device notice.
func newDeviceData() map[string]string {
	return map[string]string{"device": "Firefox on Linux", "ip": "192.0.2.7", "time": "Mon, 02 Jan 2006 15:04:05 UTC",
		"email": "ivan@example.com", "name": "Ivan"}
}

func TestPrepareSealsWhatQueueWouldWriteAndWritesNothing(t *testing.T) {
	ob, clk, _ := newTestOutbox(t)
	st := &outboxtest.Store{}
	m, err := ob.Prepare("ivan@example.com", KindNewDevice, "uk", newDeviceData())
	if err != nil {
		t.Fatal(err)
	}
	if mails, _, _ := st.Snapshot(); len(mails) != 0 {
		t.Fatalf("Prepare wrote %d mails", len(mails))
	}
	if m.To != "ivan@example.com" || m.Kind != KindNewDevice || m.Channel != outbox.ChannelMail ||
		!m.CreatedAt.Equal(clk.Now()) || !m.NextAttempt.Equal(clk.Now()) || m.ExpiresAt != nil || m.ID != 0 {
		t.Fatalf("prepared %+v", m)
	}
	body, err := ob.Open(m.Sealed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(body)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(KindNewDevice, "uk", newDeviceData())
	if got != want {
		t.Fatalf("the sealed message differs from the rendering:\n%+v\n%+v", got, want)
	}
	if _, err := ob.Prepare("ivan@example.com", KindNewDevice, "en", nil); err == nil {
		t.Fatal("Prepare without the data of its kind succeeded")
	}
}

// BenchmarkPrepareNewDevice is what a sign-in pays for its new-device
// notice whether or not the store queues it: the rendering and the seal.
func BenchmarkPrepareNewDevice(b *testing.B) {
	ob := NewOutbox(outboxtest.NewSealer(b), testFrom, testclock.New().Now)
	data := newDeviceData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ob.Prepare("ivan@example.com", KindNewDevice, "en", data); err != nil {
			b.Fatal(err)
		}
	}
}
