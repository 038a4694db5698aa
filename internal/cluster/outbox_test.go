package cluster_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/mail/mailtest"
)

// killedNode is a node killed with SIGKILL while it delivered a mail.
type killedNode struct {
	c         *cluster
	victim    *node
	survivors []*node
	to        string
	held      mailtest.Message // what the killed node had sent when it died
}

// killMidDelivery signs a user up, holds the confirmation mail's delivery
// once its data has reached the SMTP server, and kills with SIGKILL the
// node that was delivering it (its envelope sender names it): the outbox
// row stays claimed under that node's lease, its delivery unrecorded.
func (c *cluster) killMidDelivery(t *testing.T) *killedNode {
	t.Helper()
	k := &killedNode{c: c, to: "ivy@example.com"}
	held, release := c.mail.HoldTo(k.to)
	r := c.nodes[0].do(t, "POST", "/v1/user", map[string]string{"login": k.to, "password": "ivy's long password"}, "X-Forwarded-For", "198.51.100.9")
	if r.status != 201 {
		t.Fatalf("sign-up: %d %s", r.status, r.body)
	}
	select {
	case k.held = <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("no node began delivering the confirmation mail within 30 s")
	}
	for _, n := range c.nodes {
		if k.held.From == "node-"+n.name+"@cluster.test" {
			k.victim = n
		} else {
			k.survivors = append(k.survivors, n)
		}
	}
	if k.victim == nil {
		t.Fatalf("the mail comes from %q, no node's sender", k.held.From)
	}
	k.victim.kill(t)
	release()
	return k
}

// delivered waits for another node to deliver the killed node's mail
// once the lease has run out (a minute): at least once, with the
// Message-ID of the attempt that died, so a receiver can drop a
// duplicate.
func (k *killedNode) delivered(t *testing.T) {
	m := k.c.mail.NextTo(t, k.to, 2*time.Minute)
	if m.From == k.held.From {
		t.Fatalf("the mail came from the killed node %s", k.victim.name)
	}
	if m.MessageID == "" || m.MessageID != k.held.MessageID {
		t.Fatalf("Message-ID %q, want the one of the attempt that died, %q", m.MessageID, k.held.MessageID)
	}
	if m.Secret(t) != k.held.Secret(t) {
		t.Fatal("the mail delivered is not the one the killed node was sending")
	}
}
