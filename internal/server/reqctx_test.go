package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
	"github.com/gatehouse/gatehouse/internal/requestid"
)

func newRequestContext(parent context.Context, d time.Duration) *requestContext {
	return &requestContext{parent: parent, deadline: time.Now().Add(d), id: "req-1", caller: core.Caller{IP: "192.0.2.7", UserAgent: "ua"}}
}

func TestARequestThatWaitsOnNothingMakesNoTimerAndStillCarriesItsIdCallerAndDeadline(t *testing.T) {
	c := newRequestContext(context.Background(), time.Minute)
	var ctx context.Context = c
	if requestid.From(ctx) != "req-1" || core.CallerOf(ctx).IP != "192.0.2.7" || core.CallerOf(ctx).UserAgent != "ua" {
		t.Fatalf("values: %q %+v", requestid.From(ctx), core.CallerOf(ctx))
	}
	if d, ok := ctx.Deadline(); !ok || time.Until(d) < 50*time.Second {
		t.Fatalf("deadline %v %v", d, ok)
	}
	if ctx.Err() != nil {
		t.Fatalf("err %v", ctx.Err())
	}
	// A value set below it shadows the caller; the id stays.
	child := core.WithActor(ctx, "user:1")
	if core.CallerOf(child).Actor != "user:1" || core.CallerOf(child).IP != "192.0.2.7" || requestid.From(child) != "req-1" {
		t.Fatalf("child: %+v", core.CallerOf(child))
	}
	if c.real.Load() != nil {
		t.Fatal("a timer was made though nothing waited")
	}
	c.end()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("after the answer: %v, want canceled", ctx.Err())
	}
}

func TestTheRequestContextEndsAtItsDeadlineAndTakesItsChildrenAlong(t *testing.T) {
	c := newRequestContext(context.Background(), 20*time.Millisecond)
	defer c.end()
	child, cancel := context.WithCancel(context.WithValue(c, struct{ k int }{1}, "v"))
	defer cancel()
	after := make(chan struct{})
	stop := context.AfterFunc(c, func() { close(after) })
	defer stop()
	if c.real.Load() == nil {
		t.Fatal("waiting on it made no timer")
	}
	for _, ch := range []<-chan struct{}{c.Done(), child.Done(), after} {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatal("not done 10 s after a 20 ms deadline")
		}
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(c), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("err %v cause %v child %v", c.Err(), context.Cause(c), child.Err())
	}
}

func TestAPastDeadlineOrADoneParentOrAnAnsweredRequestIsDoneAtOnce(t *testing.T) {
	past := newRequestContext(context.Background(), -time.Millisecond)
	if !errors.Is(past.Err(), context.DeadlineExceeded) {
		t.Fatalf("past deadline: %v", past.Err())
	}
	parent, cancel := context.WithCancel(context.Background())
	p := newRequestContext(parent, time.Minute)
	done := p.Done()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the parent's cancellation did not reach the request's context")
	}
	if !errors.Is(p.Err(), context.Canceled) {
		t.Fatalf("parent cancelled: %v", p.Err())
	}
	answered := newRequestContext(context.Background(), time.Minute)
	answered.end()
	select { // a goroutine that waits only after the answer finds it done
	case <-answered.Done():
	default:
		t.Fatal("the context of an answered request is not done")
	}
}

// The mux routes each request once; its own 404 and 405 still answer in
// the JSON error shape (with the 405's Allow), a handler's own 404 and a
// path-cleaning redirect pass as they are.
func TestTheMuxsOwnNotFoundAndMethodNotAllowedAnswerJSONWhileItRoutesOnce(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /thing", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })
	mux.HandleFunc("GET /mine", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	h := jsonFallback(httpjson.Adapter{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, mux)
	for _, c := range []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"POST", "/thing", 201, "", ""},
		{"GET", "/thing", 405, `"error":"method_not_allowed"`, "POST"},
		{"GET", "/nothing", 404, `"error":"not_found"`, ""},
		{"GET", "/mine", 404, "404 page not found", ""},
		{"GET", "/a/../thing", 307, "/thing", ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		body := rec.Body.String()
		if rec.Code != c.status || !strings.Contains(body, c.body) || !strings.Contains(rec.Header().Get("Allow"), c.allow) {
			t.Errorf("%s %s: %d %q Allow %q", c.method, c.path, rec.Code, body, rec.Header().Get("Allow"))
		}
		if strings.HasPrefix(c.body, `"error"`) && (strings.Contains(body, "page not found") || strings.Contains(body, "Method Not Allowed") ||
			!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")) {
			t.Errorf("%s %s: the mux's plain text leaked: %q %q", c.method, c.path, rec.Header().Get("Content-Type"), body)
		}
	}
}
