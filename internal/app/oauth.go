package app

import (
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// buildOAuth wires the standard door's domain over the shared client
// registry (the bank domain's) and the signing ring. id_tokens are signed
// by that ring: RS256 under the default GATEHOUSE_SIGNING_ALG (docs/oidc.md
// says what another algorithm means for relying parties).
func (a *App) buildOAuth() {
	a.OAuth = oauth.New(sqlstore.OAuth(a.store), oauth.Service{
		Identity: a.Identity, Bank: a.Bank, Tokens: a.Signing,
		Policy: oauth.Policy{Issuer: a.Config.PublicURL},
	})
}
