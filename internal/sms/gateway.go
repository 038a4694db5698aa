package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
)

// timeout bounds one delivery attempt; the outbox's lease (a minute) must
// exceed it, or two nodes could send the same message.
const timeout = 10 * time.Second

// Gateway posts each message as JSON to an HTTP gateway of the operator's
// (GATEHOUSE_SMS_URL=https://…):
//
//	POST <url>
//	Authorization: Bearer <GATEHOUSE_SMS_TOKEN>
//	Content-Type: application/json
//
//	{"to":"+77011234567","text":"Your Gatehouse code: 123456","id":"<uuid>"}
//
// Any 2xx accepts the message. The id is the same on every retry of one
// message, so a gateway may drop a duplicate (delivery is at least once).
type Gateway struct {
	url    string
	token  string
	client *http.Client
}

// NewGateway returns a Gateway posting to endpoint with the bearer token
// (none when empty).
func NewGateway(endpoint, token string) *Gateway {
	return &Gateway{url: endpoint, token: token, client: newClient()}
}

// Send posts m. A 408, 429 or 5xx answer and a network failure are
// temporary; any other answer but 2xx is outbox.Permanent.
func (g *Gateway) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(struct {
		To   string `json:"to"`
		Text string `json:"text"`
		ID   string `json:"id"`
	}{m.To, m.Text, m.ID})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	return post(g.client, req, "sms gateway", nil)
}

// newClient is an HTTP client with the attempt's timeout that follows no
// redirect: a redirected POST would turn into a GET elsewhere, and the
// answer then counts as a refusal the operator must look at.
func newClient() *http.Client {
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// post sends req and classifies the answer. Any 2xx accepts; 408, 429 and
// 5xx (RFC 9110 §15.5.9, RFC 6585 §4, §15.6) and network failures are
// worth retrying; every other answer is a refusal that retrying cannot
// change (a malformed number, bad credentials): outbox.Permanent. The
// error names the status, never the answer's body or reason phrase (a
// gateway may echo the text, which carries the code), nor the URL; detail,
// when not nil, may add what it safely reads from a refusal's body.
func post(c *http.Client, req *http.Request, name string, detail func([]byte) string) error {
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	// Read a little of the answer (so that the connection can be reused).
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	status := strconv.Itoa(code) + " " + http.StatusText(code)
	if detail != nil {
		status += detail(body)
	}
	if code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 {
		return fmt.Errorf("%s answered %s", name, status)
	}
	return outbox.Permanent(fmt.Errorf("%s refused the message: %s", name, status))
}
