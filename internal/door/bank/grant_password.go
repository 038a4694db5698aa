package bank

import (
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// passwordGrant is step 1: grant_type=password&user_type=customer with
// the username and password encrypted under the credential key.
//
// Every failure that depends on the ciphertexts (bad base64, a padding
// that does not verify, a key that does not fit, a replay) goes on as a
// login with an empty username, which costs the same password hash as a
// real one and fails with the same invalid_grant: no padding oracle and no
// timing signal.
func (d *Door) passwordGrant(w http.ResponseWriter, r *http.Request, p url.Values) error {
	if err := d.limitClient(r, "bank_login", p); err != nil { // before the decryption's CPU
		return err
	}
	c, err := d.basicClient(r, p)
	if err != nil {
		return err
	}
	userType := word(p, "user_type")
	if userType == "" {
		return errInvalidRequest("user_type is required")
	}
	if p.Get("username") == "" || p.Get("password") == "" {
		return errInvalidRequest("username and password are required")
	}
	// A login the hasher would refuse is refused before the two RSA
	// decryptions, and before its ciphertext is remembered against replay,
	// so that the client may send the same request again.
	if err := d.Bank.Core.HashCapacity(); err != nil {
		return err
	}
	username, password, ok := d.decryptCredentials(r, p.Get("username"), p.Get("password"))
	if !ok {
		username = ""
	}
	if err := d.limit(r, "bank_user", identity.LookupKey(username)); err != nil {
		return err
	}
	l, err := d.Bank.Login(r.Context(), identity.BankLoginRequest{
		Client: c, UserType: userType, Username: username, Password: password,
		Fingerprint: fingerprint(r), UserAgent: r.UserAgent(), IP: d.clientIP(r),
	})
	if err != nil {
		return err
	}
	return d.writeLogin(w, l)
}

// decryptCredentials decrypts both fields, always both, and remembers the
// password ciphertext against replay. ok is false on any failure; the
// password returned then is still a string of ordinary length, so the
// hash that follows costs what a real one costs.
func (d *Door) decryptCredentials(r *http.Request, encUser, encPass string) (username, password string, ok bool) {
	dec := d.decrypter()
	ctUser, errU := decodeCiphertext(encUser)
	ctPass, errP := decodeCiphertext(encPass)
	username, errU2 := dec.open(ctUser)
	password, errP2 := dec.open(ctPass)
	fresh := false
	if errP == nil {
		var err error
		if fresh, err = d.Bank.RememberCiphertext(r.Context(), ctPass); err != nil {
			fresh = false
		}
	}
	if errU != nil || errP != nil || errU2 != nil || errP2 != nil || !fresh {
		return "", "not-a-password", false
	}
	return username, password, true
}
