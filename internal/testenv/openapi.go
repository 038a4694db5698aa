package testenv

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/gatehouse/gatehouse/api"
)

var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// router loads api/openapi.yaml once per test binary.
func router(sources []string) (routers.Router, error) {
	specOnce.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/x-pem-file", openapi3filter.PlainBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder) // the pages, as text
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.Rendered("", sources))
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(loader.Context); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil // match any host: tests run on random ports
		specDoc = doc
		specRouter, specErr = legacy.NewRouter(doc)
	})
	return specRouter, specErr
}

// CheckAgainstSpec fails the test unless the response (status, headers,
// body) is one the OpenAPI document describes for the request's operation.
func CheckAgainstSpec(t testing.TB, sources []string, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	r, err := router(sources)
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	route, params, err := r.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in api/openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match api/openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, status, err, body)
	}
}

// Operation is one method and path of api/openapi.yaml with the inputs it
// declares, for tests that reach every endpoint (hostile bytes): a new
// endpoint is covered as soon as the document describes it.
type Operation struct {
	Method, Path string   // Path as the document writes it: /v1/user/sessions/{id}
	PathParams   []string // names of the {…} segments
	QueryParams  []string
	BodyStrings  []string // string properties of the JSON request body, top level
	BodyLists    []string // its properties that are lists of strings
}

// Operations lists every operation of api/openapi.yaml, sorted by path
// and method.
func Operations(t testing.TB, sources []string) []Operation {
	t.Helper()
	if _, err := router(sources); err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	var out []Operation
	for path, item := range specDoc.Paths.Map() {
		for method, op := range item.Operations() {
			o := Operation{Method: method, Path: path}
			for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				switch p.Value.In {
				case openapi3.ParameterInPath:
					o.PathParams = append(o.PathParams, p.Value.Name)
				case openapi3.ParameterInQuery:
					o.QueryParams = append(o.QueryParams, p.Value.Name)
				}
			}
			o.BodyStrings, o.BodyLists = bodyStrings(op)
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Path < out[j].Path || out[i].Path == out[j].Path && out[i].Method < out[j].Method
	})
	return out
}

func bodyStrings(op *openapi3.Operation) (strs, lists []string) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, nil
	}
	for name, p := range mt.Schema.Value.Properties {
		switch v := p.Value; {
		case v == nil:
		case v.Type.Includes(openapi3.TypeString):
			strs = append(strs, name)
		case v.Type.Includes(openapi3.TypeArray) && v.Items != nil && v.Items.Value != nil && v.Items.Value.Type.Includes(openapi3.TypeString):
			lists = append(lists, name)
		}
	}
	sort.Strings(strs)
	sort.Strings(lists)
	return strs, lists
}
