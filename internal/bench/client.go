package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Client speaks to the server under test. It keeps connections alive (one
// per concurrent worker) and reads every body to the end so that they are
// reused.
type Client struct {
	Base string // e.g. http://127.0.0.1:8080, no trailing slash
	HTTP *http.Client
}

// NewClient returns a client for base that keeps up to conns idle
// connections, so that no worker pays a new TCP handshake per request.
func NewClient(base string, conns int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns + 16,
		MaxIdleConnsPerHost: conns + 16,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// Request is one call: a JSON body (when Body is not nil), extra headers, and
// where to decode a 2xx answer (when Into is not nil).
type Request struct {
	Method string
	Path   string
	Body   any
	Form   string // a form-encoded body instead of JSON
	Header map[string]string
	Into   any
}

// Do sends req and returns the status. A non-2xx status is not an error:
// the driver counts it by status. err is a transport or decoding failure.
func (c *Client) Do(ctx context.Context, req Request) (int, error) {
	var body io.Reader
	ctype := ""
	switch {
	case req.Body != nil:
		b, err := json.Marshal(req.Body)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", req.Method, req.Path, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	case req.Form != "":
		body, ctype = strings.NewReader(req.Form), "application/x-www-form-urlencoded"
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, c.Base+req.Path, body)
	if err != nil {
		return 0, fmt.Errorf("build %s %s: %w", req.Method, req.Path, err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", UserAgent)
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("read %s %s: %w", req.Method, req.Path, err)
	}
	if req.Into != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, req.Into); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s: %w", req.Method, req.Path, err)
		}
	}
	return resp.StatusCode, nil
}

// expect turns a status other than want into an error, for set-up steps
// that must succeed.
func expect(status int, err error, want int, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if status != want {
		return fmt.Errorf("%s: status %d, want %d", what, status, want)
	}
	return nil
}
