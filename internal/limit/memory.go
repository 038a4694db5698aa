// Package limit counts events per key in fixed windows: in process by
// default, in Redis when several nodes must share the counts.
package limit

import (
	"context"
	"sync"
	"time"
)

// Memory is an in-process fixed-window counter. It forgets windows that
// have ended, so memory is bounded by the keys active in one window.
type Memory struct {
	Now func() time.Time
	// MaxKeys bounds the keys counted at once (default 500 000, some
	// 100 MB): past it, events of new keys are refused until windows end,
	// so a flood of distinct keys (spoofed IPv6 addresses, random logins)
	// cannot grow the process without bound. Fail closed: a limiter
	// that forgets is no limiter.
	MaxKeys int

	mu      sync.Mutex
	windows map[string]*window
	sweep   time.Time
}

type window struct {
	start time.Time
	end   time.Time
	count int
}

// NewMemory returns an empty in-process limiter.
func NewMemory(now func() time.Time) *Memory {
	return &Memory{Now: now, windows: map[string]*window{}}
}

// Allow implements identity.Limiter.
func (m *Memory) Allow(_ context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	now := m.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gc(now)
	w := m.windows[key]
	if w == nil && len(m.windows) >= m.maxKeys() {
		return false, time.Second, nil
	}
	if w == nil || !now.Before(w.end) {
		w = &window{start: now, end: now.Add(per)}
		m.windows[key] = w
	}
	if w.count >= limit {
		return false, w.end.Sub(now), nil
	}
	w.count++
	return true, 0, nil
}

func (m *Memory) maxKeys() int {
	if m.MaxKeys > 0 {
		return m.MaxKeys
	}
	return 500_000
}

// gc drops ended windows at most once a second, so a flood of distinct
// keys costs memory only for as long as their windows last.
func (m *Memory) gc(now time.Time) {
	if now.Before(m.sweep) {
		return
	}
	m.sweep = now.Add(time.Second)
	for k, w := range m.windows {
		if !now.Before(w.end) {
			delete(m.windows, k)
		}
	}
}

// Peek reports whether key is within limit events in its current window,
// and when not, when it will be, without recording an event: a caller
// that counts only failures asks before it judges a request, so that a
// blocked client learns nothing from the answer.
func (m *Memory) Peek(_ context.Context, key string, limit int) (bool, time.Duration, error) {
	now := m.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.windows[key]
	if w == nil || !now.Before(w.end) || w.count < limit {
		return true, 0, nil
	}
	return false, w.end.Sub(now), nil
}
