// Package outboxtest has what the outbox's users test with: an in-memory
// store of the outbox methods and a real AES-GCM sealer.
package outboxtest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// Store is outbox.Store in memory: only what the outbox's workers use.
type Store struct {
	mu      sync.Mutex
	mails   []*outbox.Message
	fails   []Failure
	sent    []int64
	dropped []int64
}

// Failure is one MarkMailFailed call.
type Failure struct {
	ID      int64
	ErrText string
	Next    time.Time
}

// EnqueueMail stores a copy of m and fills its ID.
func (s *Store) EnqueueMail(_ context.Context, m *outbox.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.ID = int64(len(s.mails) + 1)
	c := *m
	s.mails = append(s.mails, &c)
	return nil
}

// LastMailAt is the creation time of the newest message of kind to to.
func (s *Store) LastMailAt(_ context.Context, to, kind string) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var last time.Time
	for _, m := range s.mails {
		if m.To == to && m.Kind == kind && m.CreatedAt.After(last) {
			last = m.CreatedAt
		}
	}
	return last, nil
}

// ClaimMail leases due, unsent, undropped messages of the channel.
func (s *Store) ClaimMail(_ context.Context, channel string, now, leaseUntil time.Time, limit int) ([]outbox.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []outbox.Message
	for _, m := range s.mails {
		if len(out) == limit {
			break
		}
		if m.Channel == channel && m.SentAt == nil && m.DroppedAt == nil && !m.NextAttempt.After(now) {
			m.NextAttempt = leaseUntil
			out = append(out, *m)
		}
	}
	return out, nil
}

// MarkMailSent records the sending and clears the body.
func (s *Store) MarkMailSent(_ context.Context, id int64, at time.Time) error {
	return s.update(id, func(m *outbox.Message) {
		m.SentAt, m.Sealed = &at, nil
		s.sent = append(s.sent, id)
	})
}

// MarkMailFailed counts the attempt and reschedules.
func (s *Store) MarkMailFailed(_ context.Context, id int64, errText string, next time.Time) error {
	return s.update(id, func(m *outbox.Message) {
		m.Attempts++
		m.LastError, m.NextAttempt = errText, next
		s.fails = append(s.fails, Failure{id, errText, next})
	})
}

// DropMail gives the message up and clears its body.
func (s *Store) DropMail(_ context.Context, id int64, errText string, at time.Time) error {
	return s.update(id, func(m *outbox.Message) {
		m.Attempts++
		m.LastError, m.DroppedAt, m.Sealed = errText, &at, nil
		s.dropped = append(s.dropped, id)
	})
}

// update applies fn to message id under the lock; ErrNotFound when there
// is none.
func (s *Store) update(id int64, fn func(*outbox.Message)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.mails {
		if m.ID == id {
			fn(m)
			return nil
		}
	}
	return core.ErrNotFound
}

// Snapshot returns copies of the stored messages, the failures and the
// sent ids.
func (s *Store) Snapshot() ([]outbox.Message, []Failure, []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mails := make([]outbox.Message, len(s.mails))
	for i, m := range s.mails {
		mails[i] = *m
	}
	sent := append([]int64(nil), s.sent...)
	sort.Slice(sent, func(i, j int) bool { return sent[i] < sent[j] })
	return mails, append([]Failure(nil), s.fails...), sent
}

// Dropped returns the ids of the dropped messages.
func (s *Store) Dropped() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.dropped...)
}

// Sealer is core.Sealer with AES-256-GCM and a random key, as the real
// one (internal/keys) does it.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a sealer with a fresh key.
func NewSealer(t testing.TB) Sealer {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return Sealer{aead}
}

// Seal encrypts plain under a random nonce.
func (s Sealer) Seal(plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, nil), nil
}

// Open decrypts what Seal returned.
func (s Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed text too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
