package bank

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// maxParamBytes caps a token request's parameters: two RSA-2048
// ciphertexts in base64 are under 800 bytes.
const maxParamBytes = 16 << 10

// params reads a request's parameters from the query string (as the
// seed's curl sends them, with a "{}" JSON body) and from the body: a form
// (RFC 6749 §4.3) or a JSON object of strings and numbers. A parameter
// given twice with different values is refused (RFC 6749 §3.2), and so is
// one that is not text (a NUL, a control character or bytes that are not
// UTF-8: core/text.go), before anything reads it.
func params(r *http.Request) (url.Values, error) {
	p, err := readParams(r)
	if err != nil {
		return nil, err
	}
	for k, vs := range p {
		if !core.IsText(k) || !core.IsText(vs[0]) {
			return nil, errInvalidRequest("parameter " + core.DisplayText(k, 64) + " must be UTF-8 text without control characters")
		}
	}
	return p, nil
}

func readParams(r *http.Request) (url.Values, error) {
	if len(r.URL.RawQuery) > maxParamBytes {
		return nil, errInvalidRequest("query string is too long")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errInvalidRequest("query string is malformed")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxParamBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, errInvalidRequest("request body could not be read")
	}
	if len(body) > maxParamBytes {
		return nil, errTooLarge
	}
	b, err := bodyParams(r.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, err
	}
	return mergeParams(q, b)
}

// bodyParams decodes a body by its media type; an empty body or "{}" has none.
func bodyParams(contentType string, body []byte) (url.Values, error) {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return url.Values{}, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(trimmed)
		if err != nil {
			return nil, errInvalidRequest("form body is malformed")
		}
		return v, nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "":
		return jsonParams(body)
	}
	return nil, &httpjson.StatusError{Status: http.StatusUnsupportedMediaType, Code: "invalid_request",
		Message: "body must be application/x-www-form-urlencoded or a JSON object"}
}

// jsonParams reads a flat JSON object; strings, numbers and booleans become
// parameter values, anything else is refused.
func jsonParams(body []byte) (url.Values, error) {
	if name, twice := httpjson.RepeatedMember(body); twice {
		return nil, errInvalidRequest("parameter " + core.DisplayText(name, 64) + " is given more than once")
	}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || dec.More() {
		return nil, errInvalidRequest("body must be a JSON object")
	}
	v := url.Values{}
	for k, raw := range m {
		var x any
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if err := d.Decode(&x); err != nil {
			return nil, errInvalidRequest("body must be a JSON object")
		}
		switch t := x.(type) {
		case string:
			v.Set(k, t)
		case json.Number:
			v.Set(k, t.String())
		case bool:
			v.Set(k, strconv.FormatBool(t))
		case nil:
		default:
			return nil, errInvalidRequest("parameter " + k + " must be a string or a number")
		}
	}
	return v, nil
}

// mergeParams joins query and body parameters, refusing a name that
// carries two different values.
func mergeParams(sets ...url.Values) (url.Values, error) {
	out := url.Values{}
	for _, set := range sets {
		for k, vs := range set {
			for _, v := range vs {
				if prev, ok := out[k]; ok {
					if prev[0] != v {
						return nil, errInvalidRequest("parameter " + k + " is given more than once")
					}
					continue
				}
				out[k] = []string{v}
			}
		}
	}
	return out, nil
}

// word returns a parameter that names something (grant_type, user_type,
// factor) lower-cased: the published API's curl sends grant_type=Password.
func word(p url.Values, name string) string {
	return strings.ToLower(strings.TrimSpace(p.Get(name)))
}
