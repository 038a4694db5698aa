package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// clientCmd manages the clients of the one registry (the standard door's
// and the bank door's) by RFC 7591's metadata names, through the same core
// calls and the same reading of the metadata as POST /admin/v1/clients
// (admin.ClientForm): docs/oidc.md "Clients from the command line".
func (c *cli) clientCmd() *cobra.Command {
	g := group("client", "OAuth 2 / OpenID Connect clients (RFC 7591 metadata)",
		c.action("create --client-id ID", "Register a client (a confidential one's secret is shown once)", 0, 0, registrationFlags, c.clientRegister),
		c.action("list", "List the clients", 0, 0, nil, func(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
			list, err := srv.Bank.Clients(cmd.Context())
			return map[string]any{"clients": admin.Views(list, registration)}, err
		}),
		c.action("show ID", "Show a client", 1, 1, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			cl, err := srv.Bank.Client(cmd.Context(), a[0])
			return registration(cl), notFound(err, "no client %q", a[0])
		}),
		c.action("update ID", "Change the metadata named by flags; the rest stays", 1, 1, registrationFlags, c.clientUpdate),
		c.action("rotate-secret ID", "Give a client a new secret, shown once (the old one stops at once)", 1, 1, nil,
			func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
				secret, err := srv.Bank.RotateClientSecret(cmd.Context(), a[0])
				return map[string]string{"client_id": a[0], "client_secret": secret}, notFound(err, "no client %q", a[0])
			}),
		c.action("delete ID", "Delete a client", 1, 1, nil, func(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
			return map[string]string{"deleted": a[0]}, notFound(srv.Bank.DeleteClient(cmd.Context(), a[0]), "no client %q", a[0])
		}),
	)
	toolFlags(g.PersistentFlags())
	outputFlag(g.PersistentFlags())
	return g
}

// clientView is the RFC 7591 view of a client (the admin API's names) with
// its grant_types.
type clientView struct {
	admin.Registration
	GrantTypes []string `json:"grant_types"`
}

func registration(cl bank.Client) clientView {
	v := admin.ClientView(cl)
	return clientView{Registration: v.Registration, GrantTypes: v.GrantTypes}
}

// registrationFlags are RFC 7591 §2's metadata as flags (lists repeat).
func registrationFlags(f *pflag.FlagSet) {
	f.String("client-id", "", "client_id (letters, digits, '.', '_', '-')")
	f.String("name", "", "client_name")
	f.StringArray("redirect-uri", nil, "redirect_uris: an exact redirect URI (repeatable)")
	f.StringArray("post-logout-redirect-uri", nil, "post_logout_redirect_uris: an exact URI after RP-initiated logout (repeatable)")
	f.StringArray("grant-type", nil, "grant_types (repeatable; none: authorization_code and refresh_token with a redirect URI)")
	f.StringArray("response-type", nil, "response_types (repeatable; code)")
	f.String("auth-method", "", "token_endpoint_auth_method: client_secret_basic, client_secret_post, private_key_jwt or none")
	f.String("scope", "", `scope the client may ask for, space-separated ("openid email profile offline_access"; none: any)`)
	f.String("jwks-file", "", "jwks: a file holding the client's JWK Set (RFC 7517 §5), for private_key_jwt")
	f.Bool("skip-consent", false, "skip_consent: never ask users to consent")
	f.StringArray("resource", nil, "resources: an audience it may ask a token for (RFC 8707; repeatable)")
}

// maxJWKS caps --jwks-file: a key set of a few public keys.
const maxJWKS = 64 << 10

// readForm reads the flags that were given over f (an update changes
// only what is named).
func readForm(cmd *cobra.Command, f admin.ClientForm) (admin.ClientForm, error) {
	fs := cmd.Flags()
	set := func(name string, to *string) {
		if fs.Changed(name) {
			*to = str(fs, name)
		}
	}
	list := func(name string, to *[]string) {
		if fs.Changed(name) {
			*to, _ = fs.GetStringArray(name)
		}
	}
	set("client-id", &f.ClientID)
	set("name", &f.ClientName)
	set("auth-method", &f.AuthMethod)
	set("scope", &f.Scope)
	list("redirect-uri", &f.RedirectURIs)
	list("post-logout-redirect-uri", &f.PostLogoutRedirectURIs)
	list("grant-type", &f.GrantTypes)
	list("response-type", &f.ResponseTypes)
	list("resource", &f.Resources)
	if fs.Changed("skip-consent") {
		f.SkipConsent, _ = fs.GetBool("skip-consent")
	}
	if path := str(fs, "jwks-file"); path != "" {
		b, err := readCapped(path, maxJWKS)
		if err != nil {
			return f, usage(cmd, "--jwks-file: %v", err)
		}
		f.JWKS = strings.TrimSpace(string(b))
	}
	return f, nil
}

func readCapped(path string, limit int64) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("larger than %d bytes", limit)
	}
	return b, err
}

func (c *cli) clientRegister(cmd *cobra.Command, srv *app.App, _ []string) (any, error) {
	f, err := readForm(cmd, admin.ClientForm{})
	if err != nil {
		return nil, err
	}
	if f.ClientID == "" {
		return nil, usage(cmd, "--client-id is required")
	}
	var spec bank.ClientSpec
	if err := f.Apply(&spec); err != nil {
		return nil, err
	}
	cl, secret, err := srv.Bank.CreateClient(cmd.Context(), spec)
	if err != nil {
		return nil, err
	}
	v := registration(cl)
	v.ClientSecret = secret
	return v, nil
}

func (c *cli) clientUpdate(cmd *cobra.Command, srv *app.App, a []string) (any, error) {
	cl, err := srv.Bank.Client(cmd.Context(), a[0])
	if err != nil {
		return nil, notFound(err, "no client %q", a[0])
	}
	if cmd.Flags().Changed("client-id") && str(cmd.Flags(), "client-id") != a[0] {
		return nil, usage(cmd, "--client-id names another client than %s (a client id does not change)", a[0])
	}
	form, spec := admin.FormOf(cl)
	if form, err = readForm(cmd, form); err != nil {
		return nil, err
	}
	if err := form.Apply(&spec); err != nil {
		return nil, err
	}
	cl, err = srv.Bank.UpdateClient(cmd.Context(), spec)
	return registration(cl), err
}
