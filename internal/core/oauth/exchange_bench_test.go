package oauth_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// BenchmarkExchange redeems codes of a client marked skip_consent and of
// one that needs consent (Exchange then reads the consent once more,
// stillConsented), in one run: their ratio is what the consent check costs
// a code's redemption (BENCHMARKS.md).
func BenchmarkExchange(b *testing.B) {
	e := coretest.New(b)
	ann := user(b, e, "ann@example.com")
	o := e.App.OAuth
	login := oauth.Login{AccountID: ann.UUID, AuthTime: e.Clock.Now()}
	for _, skip := range []bool{true, false} {
		name := map[bool]string{true: "skip_consent", false: "consented"}[skip]
		c, _, err := e.Bank.CreateClient(ctx, bank.ClientSpec{ID: name, Confidential: true,
			Metadata: bank.Metadata{RedirectURIs: []string{cb}, SkipConsent: skip}})
		if err != nil {
			b.Fatal(err)
		}
		if err := o.GrantConsent(ctx, ann.ID, c.ID, "openid"); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				code, err := o.IssueCode(ctx, oauth.Request{ClientID: c.ID, RedirectURI: cb, Scope: "openid"}, login)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := o.Exchange(ctx, c, code, cb, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
