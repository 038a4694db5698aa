package app

import (
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// buildOAuth wires the standard door's domain over the shared client
// registry (the bank domain's) and the signing rings: access tokens by the
// signing ring, id_tokens RS256 (the id_token ring when the signing ring
// is not RS256, docs/oidc.md).
func (a *App) buildOAuth() {
	var idTokens identity.TokenSigner
	if a.IDTokens != a.Signing {
		idTokens = a.IDTokens
	}
	alg := a.IDTokenAlgs()
	a.OAuth = oauth.New(sqlstore.OAuth(a.store), oauth.Service{
		Identity: a.Identity, Bank: a.Bank, Tokens: a.Signing, IDTokens: idTokens,
		Policy: oauth.Policy{Issuer: a.Config.Issuer(), SigningAlg: alg[len(alg)-1]},
	})
}
