package account

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Applications: the OpenID clients the owner consented to on the consent
// page (internal/web/consent), with the scopes granted and when; Revoke
// withdraws the consent and ends the client's grants
// (oauth.(*Service).RevokeConsent), so its refresh tokens stop working and
// its next authorization asks again.

type applicationRow struct {
	ClientID, Name, Granted, Updated string
	Scopes                           []string // catalogue ids of the scopes
}

func (x *pages) applications(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	ctx := r.Context()
	list, err := x.oauth.Consents(ctx, pr.User.ID)
	if err != nil {
		return err
	}
	rows := make([]applicationRow, 0, len(list))
	for _, c := range list {
		row := applicationRow{ClientID: c.ClientID, Name: core.DisplayText(c.ClientID, 120), Granted: when(c.CreatedAt), Updated: when(c.UpdatedAt)}
		// The client's name as registered now; a client removed since
		// shows its id.
		if cl, err := x.oauth.Client(ctx, c.ClientID); err == nil && cl.Name != "" {
			row.Name = core.DisplayText(cl.Name, 120)
		}
		for _, sc := range strings.Fields(c.Scope) {
			row.Scopes = append(row.Scopes, "account.scope."+sc)
		}
		rows = append(rows, row)
	}
	x.render(w, r, "account_applications", 0, nil, rows)
	return nil
}

// revokeApplication withdraws the consent to the form's client_id (one of
// the owner's: another's is not found) and ends that client's grants.
func (x *pages) revokeApplication(w http.ResponseWriter, r *http.Request, pr identity.Principal) error {
	id := r.PostFormValue("client_id")
	if id == "" || len(id) > 256 {
		return core.ErrNotFound
	}
	if err := x.oauth.RevokeConsent(r.Context(), pr.User.ID, id); err != nil {
		return err
	}
	return done(w, r, "/account/applications", "consent_revoked")
}
