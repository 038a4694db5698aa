// Package requestid gives every request an id that follows it through the
// logs: a sane X-Request-Id the client (or a load balancer in front) sent
// is kept, any other is replaced by a fresh one; the id is echoed in the
// answer and added to every log line written with the request's context.
//
// Request ids are labels for correlating log lines, not secrets and not
// proof of anything: a client may send any sane id, including one another
// request used.
package requestid

import (
	"context"
	"encoding/base32"
	"encoding/binary"
	"log/slog"
	"math/rand/v2"
	"net/http"
)

// Header is the request and response header that carries the id.
const Header = "X-Request-Id"

// MaxLen is the longest id kept.
const MaxLen = 64

// Sane reports whether id is 1 to MaxLen characters of [A-Za-z0-9._-]:
// nothing that could split a log line, forge a field or bloat the log.
func Sane(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// New returns a fresh random id: 128 bits as 26 characters of base32, so
// that ids made by several nodes never meet. It is not a secret, so the
// runtime's fast generator (math/rand/v2, seeded from the system) does:
// every request pays for it.
func New() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var out [26]byte
	idEncoding.Encode(out[:], b[:])
	return string(out[:])
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Of returns the id of r: its one X-Request-Id when that is sane, else a
// new one. Two X-Request-Id headers are not sane either. Header is in
// canonical form, as net/http stores what it reads, so the map is indexed
// directly (this runs for every request).
func Of(r *http.Request) string {
	if v := r.Header[Header]; len(v) == 1 && Sane(v[0]) {
		return v[0]
	}
	return New()
}

type key struct{}

// IsKey reports whether k is the key With stores the id under, for a
// context type that carries the id itself (the server's request context,
// which makes one allocation where With and three others made ten).
func IsKey(k any) bool { _, ok := k.(key); return ok }

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context { return context.WithValue(ctx, key{}, id) }

// From returns the id in ctx, "" when none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// Attr is the log attribute's name.
const Attr = "request_id"

// Handler wraps a slog.Handler so that every record logged with a context
// that carries an id gets the attribute request_id. Lines logged without
// a request's context (the background jobs) have none.
type Handler struct{ slog.Handler }

// NewHandler wraps h; a Handler is returned as it is.
func NewHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(Handler); ok {
		return h
	}
	return Handler{h}
}

// Handle adds the id of ctx to r.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r.AddAttrs(slog.String(Attr, id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapping.
func (h Handler) WithAttrs(as []slog.Attr) slog.Handler { return Handler{h.Handler.WithAttrs(as)} }

// WithGroup keeps the wrapping.
func (h Handler) WithGroup(name string) slog.Handler { return Handler{h.Handler.WithGroup(name)} }
