package cashdesk

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Seed 001: "the request must carry the headers Accept: application/json
// and Content-Type: application/json". docs/cashdesk.md makes that precise: a
// charset parameter is fine; an absent Accept, */* and application/* admit
// JSON; 406 only when the Accept header excludes it.

// ErrNotAcceptable answers a client whose Accept excludes JSON. It is still
// written as JSON: there is nothing else to say it in.
var ErrNotAcceptable = &httpjson.StatusError{Status: http.StatusNotAcceptable, Code: "not_acceptable", Message: "Accept must admit application/json"}

// acceptJSON refuses requests whose Accept header excludes application/json.
func acceptJSON(next httpjson.Handler) httpjson.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !AcceptsJSON(r.Header.Values("Accept")) {
			return ErrNotAcceptable
		}
		return next(w, r)
	}
}

// jsonBody refuses a body whose Content-Type is not application/json (415).
func jsonBody(next httpjson.Handler) httpjson.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !IsJSON(r.Header.Get("Content-Type")) {
			return httpjson.ErrMediaType
		}
		return next(w, r)
	}
}

// IsJSON reports whether a Content-Type is application/json, parameters
// (charset) allowed.
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// AcceptsJSON reports whether Accept header values admit application/json
// by RFC 9110 12.5.1: of the media ranges that match, the most specific
// decides, and its weight q=0 means "not acceptable". No header, or one with
// no parsable range, admits anything.
func AcceptsJSON(values []string) bool {
	best, bestQ, parsed := -1, 0.0, false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			parsed = true
			spec := specificity(mt)
			if spec < 0 {
				continue
			}
			q := weight(params["q"])
			if spec > best || spec == best && q > bestQ {
				best, bestQ = spec, q
			}
		}
	}
	if !parsed {
		return true
	}
	return best >= 0 && bestQ > 0
}

// specificity of a media range that matches application/json: 2 for the
// type itself, 1 for application/*, 0 for */*, -1 when it does not match.
func specificity(mt string) int {
	switch mt {
	case "application/json":
		return 2
	case "application/*":
		return 1
	case "*/*":
		return 0
	}
	return -1
}

// weight parses a q value (0 to 1, at most three decimals); an absent or
// malformed one counts as 1, as if the parameter were not there.
func weight(s string) float64 {
	if s == "" {
		return 1
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q < 0 || q > 1 {
		return 1
	}
	return q
}
