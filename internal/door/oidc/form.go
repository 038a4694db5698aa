package oidc

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// maxForm caps a request's parameters: the longest legitimate ones (a
// redirect URI, a JWT assertion) are a few kilobytes.
const maxForm = 16 << 10

var errTooLarge = &httpjson.StatusError{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Message: "request is too large"}

// multiValued are the parameters that may repeat (RFC 8707 §2: resource).
var multiValued = map[string]bool{"resource": true, "audience": true}

// checkParams refuses a parameter given twice (RFC 6749 §3.1, §3.2) and
// one that is not text (core.IsText), before anything reads them.
func checkParams(v url.Values) (url.Values, error) {
	for k, vs := range v {
		if len(vs) > 1 && !multiValued[k] {
			return nil, core.Invalid("invalid_request", k, "parameter "+core.DisplayText(k, 64)+" is given more than once")
		}
		for _, x := range append([]string{k}, vs...) {
			if !core.IsText(x) {
				return nil, core.Invalid("invalid_request", k, "parameters must be UTF-8 text without control characters")
			}
		}
	}
	return v, nil
}

// postForm reads an application/x-www-form-urlencoded body (RFC 6749
// §3.2: the token endpoint's parameters are never in the query).
func postForm(r *http.Request) (url.Values, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, &httpjson.StatusError{Status: http.StatusUnsupportedMediaType, Code: "invalid_request",
			Message: "the body must be application/x-www-form-urlencoded"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxForm+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, core.Invalid("invalid_request", "", "the body could not be read")
	}
	if len(body) > maxForm {
		return nil, errTooLarge
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, core.Invalid("invalid_request", "", "the form body is malformed")
	}
	return checkParams(v)
}

// requestParams reads an authorization request: the query of a GET, the
// form of a POST (OpenID Connect Core §3.1.2.1 allows both).
func requestParams(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodPost {
		return postForm(r)
	}
	if len(r.URL.RawQuery) > maxForm {
		return nil, errTooLarge
	}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, core.Invalid("invalid_request", "", "the query string is malformed")
	}
	return checkParams(v)
}
