package mail

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
)

// fakeStore implements only the outbox methods of core.Store, in memory.
// The embedded nil Store makes any other call panic, which would reveal a
// dependency the outbox must not have.
type fakeStore struct {
	core.Store

	mu      sync.Mutex
	mails   []*core.OutboxMail
	fails   []failure
	sent    []int64
	claimed int
}

type failure struct {
	ID      int64
	ErrText string
	Next    time.Time
}

func (s *fakeStore) EnqueueMail(_ context.Context, m *core.OutboxMail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.ID = int64(len(s.mails) + 1)
	c := *m
	s.mails = append(s.mails, &c)
	return nil
}

func (s *fakeStore) LastMailAt(_ context.Context, to, kind string) (time.Time, error) {
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

func (s *fakeStore) ClaimMail(_ context.Context, now, leaseUntil time.Time, limit int) ([]core.OutboxMail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []core.OutboxMail
	for _, m := range s.mails {
		if len(out) == limit {
			break
		}
		if m.SentAt == nil && !m.NextAttempt.After(now) {
			m.NextAttempt = leaseUntil
			out = append(out, *m)
		}
	}
	s.claimed += len(out)
	return out, nil
}

func (s *fakeStore) MarkMailSent(_ context.Context, id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.find(id)
	if err != nil {
		return err
	}
	m.SentAt, m.Sealed = &at, nil
	s.sent = append(s.sent, id)
	return nil
}

func (s *fakeStore) MarkMailFailed(_ context.Context, id int64, errText string, next time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.find(id)
	if err != nil {
		return err
	}
	m.Attempts++
	m.LastError, m.NextAttempt = errText, next
	s.fails = append(s.fails, failure{id, errText, next})
	return nil
}

func (s *fakeStore) find(id int64) (*core.OutboxMail, error) {
	for _, m := range s.mails {
		if m.ID == id {
			return m, nil
		}
	}
	return nil, core.ErrNotFound
}

// snapshot returns copies of the stored mails, the failures and the sent ids.
func (s *fakeStore) snapshot() ([]core.OutboxMail, []failure, []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mails := make([]core.OutboxMail, len(s.mails))
	for i, m := range s.mails {
		mails[i] = *m
	}
	sent := append([]int64(nil), s.sent...)
	sort.Slice(sent, func(i, j int) bool { return sent[i] < sent[j] })
	return mails, append([]failure(nil), s.fails...), sent
}

// gcmSealer is core.Sealer with AES-256-GCM and a random key, as the real
// one (internal/keys) does it.
type gcmSealer struct{ aead cipher.AEAD }

func newSealer(t *testing.T) gcmSealer {
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
	return gcmSealer{aead}
}

func (s gcmSealer) Seal(plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, nil), nil
}

func (s gcmSealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed text too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
