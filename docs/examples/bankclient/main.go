// Command bankclient is the Go example of docs/bank.md: it encrypts the
// credentials with the bank door's credential key, runs step 1 and prints
// its tokens as shell assignments, so that step 2 can follow in the shell:
//
//	eval "$(go run ./docs/examples/bankclient -url http://127.0.0.1:8080 -username olena@example.com -password 'correct horse 1')"
//	curl -s -XPOST localhost:8080/auth/oauth/token -H "Authorization: Bearer $TOKEN1" -d grant_type=customer -d customer_id=1
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// credentialKey fetches the current credential key (SPKI PEM).
func credentialKey(c *http.Client, base string) (*rsa.PublicKey, error) {
	res, err := c.Get(base + "/auth/oauth/public-key")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(body)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("the answer is not a PEM public key")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the credential key is not RSA")
	}
	return k, nil
}

// encrypt is RSA-OAEP with SHA-256, base64: what WebCrypto produces too.
func encrypt(k *rsa.PublicKey, s string) (string, error) {
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, k, []byte(s), nil)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// login runs step 1 as the public client WEB and returns the answer.
func login(c *http.Client, base, username, password string) (map[string]any, error) {
	k, err := credentialKey(c, base)
	if err != nil {
		return nil, fmt.Errorf("credential key: %w", err)
	}
	u, err := encrypt(k, username)
	if err != nil {
		return nil, err
	}
	p, err := encrypt(k, password)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {u}, "password": {p}}
	req, err := http.NewRequest("POST", base+"/auth/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("WEB", "")
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return out, fmt.Errorf("login: %d %v: %v", res.StatusCode, out["error"], out["error_description"])
	}
	return out, nil
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "Gatehouse URL")
	user := flag.String("username", "", "e-mail or IIN")
	pass := flag.String("password", "", "password")
	flag.Parse()
	out, err := login(http.DefaultClient, strings.TrimRight(*base, "/"), *user, *pass)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := report(os.Stdout, out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// report prints step 1's answer for a shell to eval: the role and the
// customers as a comment, then TOKEN1 (the access token, the Bearer of
// step 2) and REFRESH1 (its refresh token).
func report(w io.Writer, out map[string]any) error {
	customers, err := json.Marshal(out["customers"])
	if err != nil {
		return err
	}
	access, _ := out["access_token"].(string)
	refresh, _ := out["refresh_token"].(string)
	if access == "" || refresh == "" || strings.ContainsAny(access+refresh, "'\n") {
		return errors.New("the answer carries no usable token pair")
	}
	_, err = fmt.Fprintf(w, "# role %v, customers %s\nTOKEN1='%s'\nREFRESH1='%s'\n", out["role"], customers, access, refresh)
	return err
}
