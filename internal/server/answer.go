package server

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// answer is the response writer every request of a listener is served
// through. It remembers the status for the access log and the metrics,
// and turns the mux's own 404 and 405 (the answers of a request that
// matched no pattern) into the JSON error shape, keeping the 405's Allow
// header.
//
// It does so while the mux routes the request the one time it serves it:
// a request that matched nothing is one whose Pattern the mux left empty
// when its fallback handler writes the header. Asking the mux first
// (mux.Handler) and letting it route again cost every request a second
// routing (BENCHMARKS.md, issue 13, item 6).
type answer struct {
	http.ResponseWriter
	status int
	// req is the request the mux routes; nil: no fallback rewriting.
	req      *http.Request
	json     httpjson.Adapter
	rewrote  bool // the mux's fallback answer was replaced: drop its body
	inFlight bool // the JSON error is being written: pass it through
}

func (w *answer) WriteHeader(code int) {
	if w.status != 0 {
		w.ResponseWriter.WriteHeader(code) // net/http logs the superfluous call
		return
	}
	if w.req != nil && w.req.Pattern == "" && !w.inFlight && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		w.rewrite(code)
		return
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// rewrite writes the JSON error in place of the mux's plain-text one,
// whose body (http.Error's) Write then drops.
func (w *answer) rewrite(code int) {
	w.inFlight = true
	var err error = &core.Error{Kind: core.KindNotFound, Code: "not_found", Message: "no such endpoint"}
	if code == http.StatusMethodNotAllowed { // the mux set Allow already
		err = &httpjson.StatusError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "method not allowed; see the Allow header"}
	}
	w.json.Error(w, w.req, err)
	w.inFlight, w.rewrote = false, true
}

func (w *answer) Write(b []byte) (int, error) {
	if w.rewrote {
		return len(b), nil
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *answer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// jsonFallback serves mux through an answer, for a listener without
// observe (the management listener).
func jsonFallback(a httpjson.Adapter, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(&answer{ResponseWriter: w, req: r, json: a}, r)
	})
}
