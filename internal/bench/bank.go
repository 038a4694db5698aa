package bench

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// The bank door's scenario (the bank API, docs/bank.md): step 1
// of the login chain with the username and password encrypted under the
// door's credential key, RSA-OAEP SHA-256, fresh ciphertexts every time
// (the door refuses replays).

func init() {
	Register("bank-login", Factory{Doc: "POST /auth/oauth/token grant_type=password, RSA-OAEP-encrypted credentials (bank door)", New: newBankLogin})
}

func newBankLogin(env Env) (Scenario, error) {
	if env.SeedUsers < 1 {
		return nil, fmt.Errorf("bank-login: needs seeded users (--users)")
	}
	if err := ensureWebClient(context.Background(), env); err != nil {
		return nil, err
	}
	key, err := credentialKey(context.Background(), env.Client)
	if err != nil {
		return nil, err
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("WEB:")) // the published API's public client
	return scenarioFunc(func(context.Context, int) (Worker, error) {
		return workerFunc(func(ctx context.Context) (string, int, error) {
			user, err1 := encryptOAEP(key, env.randomUser())
			pass, err2 := encryptOAEP(key, env.Password)
			if err1 != nil || err2 != nil {
				return "bank-login", 0, fmt.Errorf("encrypt credentials: %v %v", err1, err2)
			}
			form := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {user}, "password": {pass}}
			st, err := env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/auth/oauth/token",
				Form: form.Encode(), Header: map[string]string{"Authorization": basic}})
			return "bank-login", st, err
		}), nil
	}), nil
}

// ensureWebClient registers the published API's public client WEB through the
// admin API (a fresh database has no clients); one that exists is fine.
func ensureWebClient(ctx context.Context, env Env) error {
	if env.AdminToken == "" {
		return fmt.Errorf("bank-login: needs --admin-token to register the WEB client")
	}
	st, err := env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/admin/v1/clients",
		Body:   map[string]any{"id": "WEB", "name": "web (gatehouse-bench)", "grant_types": []string{"password"}, "user_types": []string{"customer"}},
		Header: map[string]string{"Authorization": "Bearer " + env.AdminToken}})
	if err != nil || (st != http.StatusCreated && st != http.StatusOK && st != http.StatusConflict) {
		return fmt.Errorf("bank-login: register client WEB: status %d: %v", st, err)
	}
	return nil
}

// credentialKey fetches the bank door's credential key (SPKI PEM).
func credentialKey(ctx context.Context, c *Client) (*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/auth/oauth/public-key", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bank credential key: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bank credential key: status %d (is the bank door on this server?): %v", resp.StatusCode, err)
	}
	block, _ := pem.Decode(body)
	if block == nil {
		return nil, fmt.Errorf("bank credential key: not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("bank credential key: %w", err)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("bank credential key: %T is not RSA", pub)
	}
	return k, nil
}

func encryptOAEP(k *rsa.PublicKey, s string) (string, error) {
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, k, []byte(s), nil)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}
