package httpjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/idempotency"
)

// Idempotency is what a door needs to honour the Idempotency-Key header.
type Idempotency struct {
	Keeper *idempotency.Keeper // nil: the header is ignored
	// Limit counts the requests that carry a key, before the key is
	// looked up: each costs database writes ahead of the endpoint's own
	// limits. nil: no limit.
	Limit func(r *http.Request) error
}

// ReplayedHeader marks an answer that is the kept reply of an earlier
// request with the same Idempotency-Key.
const ReplayedHeader = "Idempotent-Replayed"

// Guard authorises a request before its Idempotency-Key is looked up. It
// runs the checks the endpoint makes before doing its work (what the
// credential may do, how recent its sign-in is, which step a session is
// at), so that a replay, which skips the work, never hands the kept answer
// (an API key's secret) to a caller the first request's checks would
// refuse. It returns the request to go on with, whose context may carry
// what the guard proved (identity.Service.ProveRecentAuth).
type Guard func(r *http.Request) (*http.Request, error)

// Anonymous is the Guard of an endpoint that serves anybody (sign-up,
// restore, resend): its key is bound to the whole request (caller nil),
// so a replay needs the very request that earned the answer.
func Anonymous(r *http.Request) (*http.Request, error) { return r, nil }

// Idempotent makes next honour an Idempotency-Key header (package
// idempotency). guard runs first on every request, with or without a key
// (a nil guard panics when the route is built: no endpoint can forget
// it). Without a key, next then simply runs. With one, the first request
// runs and its reply, rendered from the core operation's result by render
// inside the transaction of the operation's effects, is kept for 24 hours;
// the same request again gets that reply (marked with ReplayedHeader), the
// key with another request 422, the key while its first request runs 409.
// caller names whom the key belongs to (the authenticated user or
// session; next must run after the authentication); nil binds the key to
// the request itself (anonymous endpoints). next must write render's reply
// for the same result, so that the first answer and a replay are the same.
func Idempotent[T any](x Idempotency, guard Guard, caller func(*http.Request) string, render func(T) core.Reply, next Handler) Handler {
	if guard == nil {
		panic("httpjson.Idempotent: a nil guard; pass the endpoint's authorisation, or Anonymous")
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		key, present, err := idempotency.ParseKey(r.Header.Values("Idempotency-Key"))
		if err != nil {
			return err
		}
		if r, err = guard(r); err != nil {
			return err
		}
		if !present || x.Keeper == nil {
			return next(w, r)
		}
		if x.Limit != nil {
			if err := x.Limit(r); err != nil {
				return err
			}
		}
		hash, err := requestHash(r)
		if err != nil {
			return err
		}
		req := idempotency.Request{Endpoint: r.Pattern, Key: key, Hash: hash}
		if caller != nil {
			req.Caller = caller(r)
		}
		run, replay, err := x.Keeper.Begin(r.Context(), req, func(result any) (core.Reply, error) {
			v, ok := result.(T)
			if !ok {
				return core.Reply{}, fmt.Errorf("result %T, want %T", result, v)
			}
			return render(v), nil
		})
		if err != nil {
			return err
		}
		if replay != nil {
			w.Header().Set(ReplayedHeader, "true")
			WriteReply(w, *replay)
			return nil
		}
		defer run.Release(r.Context()) //nolint:errcheck // a failed release ends with the lease
		return next(w, r.WithContext(run.Context(r.Context())))
	}
}

// requestHash is the SHA-256 of the request's method, path, query and
// body; it reads the body (within the server's cap) and puts it back for
// the handler.
func requestHash(r *http.Request) ([]byte, error) {
	body, err := keepBody(r)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", r.Method, r.URL.EscapedPath(), r.URL.RawQuery)
	h.Write(body)
	return h.Sum(nil), nil
}

// Peek decodes r's JSON body into v as Decode does and puts the body back
// for the handler, which reads it again (a Guard reads a re-entered
// password). The body is within the server's cap.
func Peek(r *http.Request, v any) error {
	body, err := keepBody(r)
	if err != nil {
		return err
	}
	c := *r
	c.Body = io.NopCloser(bytes.NewReader(body))
	return Decode(&c, v)
}

// keepBody reads r's body (within the server's cap: 413 beyond it) and
// puts it back for the next reader.
func keepBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrBodyTooLarge
		}
		return nil, core.Invalid("invalid_body", "", "request body could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// commonHeader is the shared value of a header every JSON answer
// (JSONReply's) carries, nil for any other: shared by every answer
// instead of made by Header.Set for each, as net/http only reads them,
// Set and Del replace the slice rather than write into it, and a slice
// of one value at full capacity is copied by any append. Names are
// canonical.
func commonHeader(name, value string) []string {
	switch {
	case name == "Content-Type" && value == jsonType[0]:
		return jsonType
	case name == "Cache-Control" && value == noStore[0]:
		return noStore
	}
	return nil
}

var jsonType, noStore = []string{"application/json; charset=utf-8"}, []string{"no-store"}

// JSONReply is the reply Write would send for status and v.
func JSONReply(status int, v any) core.Reply {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	return core.Reply{Status: status, Body: b.Bytes(),
		Header: map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}}
}

// WriteReply sends a reply.
func WriteReply(w http.ResponseWriter, r core.Reply) {
	h := w.Header()
	for k, v := range r.Header {
		if shared := commonHeader(k, v); shared != nil {
			h[k] = shared
			continue
		}
		h.Set(k, v)
	}
	w.WriteHeader(r.Status)
	_, _ = w.Write(r.Body)
}
