package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// RotatedKey is the answer of POST /admin/v1/keys/rotate: the new signing
// key's kid and the moment it starts signing.
type RotatedKey struct {
	KID        string    `json:"kid"`
	ActiveFrom time.Time `json:"active_from"`
	Immediate  bool      `json:"immediate"`
}

// rotate makes a new signing key. Without ?immediate=true it is published
// now and signs once every node and every verifier's cached key set has
// it; with it (a key that leaked) it signs now and the old keys are
// unpublished, so that the tokens they signed stop verifying.
func (d *Door) rotate(w http.ResponseWriter, r *http.Request) error {
	immediate := false
	if v := r.URL.Query().Get("immediate"); v != "" {
		var err error
		if immediate, err = strconv.ParseBool(v); err != nil {
			return core.Invalid("invalid_request", "immediate", "immediate must be true or false")
		}
	}
	k, err := d.RotateKeys(r.Context(), immediate) // audited by RotateKeys
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, k)
	return nil
}
