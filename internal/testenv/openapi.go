package testenv

import (
	"bytes"
	"context"
	"io"
	"net/http"
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
	specRouter routers.Router
	specErr    error
)

// router loads api/openapi.yaml once per test binary.
func router(sources []string) (routers.Router, error) {
	specOnce.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/x-pem-file", openapi3filter.PlainBodyDecoder)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.Rendered(sources))
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(loader.Context); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil // match any host: tests run on random ports
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
