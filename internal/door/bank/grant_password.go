package bank

import (
	"net/http"
	"net/url"

	bankcore "github.com/gatehouse/gatehouse/internal/core/bank"
)

// passwordGrant is step 1: grant_type=password&user_type=customer with
// the username and password encrypted under the credential key. The
// sequence (limits, client authentication, decryption, replay record) is
// the domain's (bank.Service.SignIn).
func (d *Door) passwordGrant(w http.ResponseWriter, r *http.Request, p url.Values) error {
	l, err := d.Bank.SignIn(r.Context(), bankcore.PasswordGrant{
		Client: clientAuth(r, p), UserType: word(p, "user_type"), Username: p.Get("username"), Password: p.Get("password"),
		Fingerprint: fingerprint(r), UserAgent: r.UserAgent(), IP: d.clientIP(r),
	})
	if err != nil {
		return err
	}
	return d.writeLogin(w, l)
}
