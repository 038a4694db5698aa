package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func (c *cliTest) client(args ...string) map[string]any {
	c.t.Helper()
	out, err := c.run(append(append([]string{"client"}, args...), "-o", "json")...)
	if err != nil {
		c.t.Fatalf("gatehouse client %v: %v", args, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		c.t.Fatalf("gatehouse client %v printed %q", args, out)
	}
	return m
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestTheClientCommandsRegisterShowUpdateRotateAndDeleteByRFC7591Names(t *testing.T) {
	c := newCLI(t)
	cl := c.client("create", "--client-id", "grafana", "--name", "Grafana",
		"--redirect-uri", "https://grafana.example/login/generic_oauth", "--redirect-uri", "https://grafana.example/cb",
		"--post-logout-redirect-uri", "https://grafana.example/", "--auth-method", "client_secret_post",
		"--scope", "openid email offline_access", "--skip-consent", "--resource", "https://api.example")
	secret, _ := cl["client_secret"].(string)
	if cl["client_id"] != "grafana" || cl["client_name"] != "Grafana" || len(secret) != 43 ||
		!slices.Equal(strs(cl["redirect_uris"]), []string{"https://grafana.example/login/generic_oauth", "https://grafana.example/cb"}) ||
		!slices.Equal(strs(cl["post_logout_redirect_uris"]), []string{"https://grafana.example/"}) ||
		cl["token_endpoint_auth_method"] != "client_secret_post" || cl["skip_consent"] != true || cl["scope"] != "openid email offline_access" {
		t.Fatalf("create: %v", cl)
	}
	shown := c.client("show", "grafana")
	if _, has := shown["client_secret"]; has || shown["client_name"] != "Grafana" {
		t.Fatalf("show (never the secret): %v", shown)
	}

	up := c.client("update", "grafana", "--name", "Grafana Prod", "--post-logout-redirect-uri", "https://grafana.example/bye")
	if up["client_name"] != "Grafana Prod" || !slices.Equal(strs(up["post_logout_redirect_uris"]), []string{"https://grafana.example/bye"}) ||
		len(strs(up["redirect_uris"])) != 2 || up["token_endpoint_auth_method"] != "client_secret_post" || up["skip_consent"] != true {
		t.Fatalf("update changed more than the named flags: %v", up)
	}
	rot := c.client("rotate-secret", "grafana")
	if s, _ := rot["client_secret"].(string); len(s) != 43 || s == secret {
		t.Fatalf("rotate-secret: %v", rot)
	}

	keys := filepath.Join(t.TempDir(), "jwks.json")
	jwks := `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}]}`
	if err := os.WriteFile(keys, []byte(jwks), 0o600); err != nil {
		t.Fatal(err)
	}
	spa := c.client("create", "--client-id", "cli-tool", "--auth-method", "private_key_jwt", "--jwks-file", keys,
		"--redirect-uri", "http://127.0.0.1:8765/cb", "--grant-type", "authorization_code")
	if spa["token_endpoint_auth_method"] != "private_key_jwt" || spa["jwks"] == nil || spa["client_secret"] != nil {
		t.Fatalf("a private_key_jwt client: %v", spa)
	}

	// The table shows the key set as JSON that goes back into --jwks-file.
	showTable, err := c.run("client", "show", "cli-tool")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, l := range strings.Split(showTable, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "jwks" {
			row = f[1]
		}
	}
	var got, want any
	if json.Unmarshal([]byte(row), &got) != nil || json.Unmarshal([]byte(jwks), &want) != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("client show's jwks row %q, want the registered set as JSON\n%s", row, showTable)
	}

	table, err := c.run("client", "list")
	if err != nil || !strings.Contains(table, "grafana") || !strings.Contains(table, "cli-tool") || !strings.HasPrefix(table, "CLIENT_ID") {
		t.Fatalf("list as a table:\n%s (%v)", table, err)
	}
	audit, err := c.run("audit", "--type", "admin.client", "-o", "json")
	if err != nil || strings.Count(audit, `"subject": "grafana"`) != 3 || strings.Count(audit, `"subject": "cli-tool"`) != 1 {
		t.Fatalf("the audit log of the changes (grafana created, updated, secret_rotated; cli-tool created):\n%s (%v)", audit, err)
	}
	if out := c.client("delete", "grafana"); out["deleted"] != "grafana" {
		t.Fatalf("delete: %v", out)
	}
	if _, err := c.run("client", "show", "grafana"); err == nil || !strings.Contains(err.Error(), `no client "grafana"`) {
		t.Fatalf("show after delete: %v", err)
	}
}

func TestTheClientCommandsRefuseBadMetadataAndChangeNothing(t *testing.T) {
	c := newCLI(t)
	for _, bad := range [][]string{
		{"create", "--name", "no id"},
		{"create", "--client-id", "rel", "--redirect-uri", "/relative"},
		{"create", "--client-id", "frag", "--redirect-uri", "https://app.example/cb#f"},
		{"create", "--client-id", "meth", "--redirect-uri", "https://app.example/cb", "--auth-method", "client_secret_jwt"},
		{"create", "--client-id", "keys", "--redirect-uri", "https://app.example/cb", "--auth-method", "private_key_jwt", "--jwks-file", "/nonexistent"},
		{"update", "nobody", "--name", "x"},
		{"rotate-secret", "nobody"},
	} {
		if _, err := c.run(append([]string{"client"}, bad...)...); err == nil {
			t.Errorf("gatehouse client %v was accepted", bad)
		}
	}
	list := c.client("list")["clients"].([]any)
	for _, cl := range list {
		if id := cl.(map[string]any)["client_id"]; id != "WEB" {
			t.Errorf("a refused command left client %v", id)
		}
	}
}
