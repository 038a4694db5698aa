package platform

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

const door = "platform"

func (d *Door) spec(r *http.Request) core.SessionSpec {
	ip := ""
	if d.ClientIP != nil {
		ip = d.ClientIP(r)
	}
	return core.SessionSpec{Door: door, UserAgent: r.UserAgent(), IP: ip, Extra: map[string]any{"door": door}}
}

func (d *Door) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" {
		return core.Invalid("missing_field", "username", "username and password are required")
	}
	if err := d.checkSource(req.Source); err != nil {
		return err
	}
	if err := d.limit(r, "login", core.LookupKey(req.Username)); err != nil {
		return err
	}
	pair, _, err := d.Core.Login(r.Context(), req.Username, req.Password, d.spec(r))
	if err != nil {
		return err
	}
	d.writePair(w, pair)
	return nil
}

// externalToken gives an external service its own token pair (and session)
// on behalf of the caller (seed 002 POST /v1/auth/token). An optional
// ?audience= names the service; it becomes the token's aud.
func (d *Door) externalToken(w http.ResponseWriter, r *http.Request) error {
	aud := r.URL.Query().Get("audience")
	if len(aud) > 200 {
		return core.Invalid("invalid_audience", "audience", "audience is at most 200 characters")
	}
	pair, err := d.Core.ExternalToken(r.Context(), principal(r), aud)
	if err != nil {
		return err
	}
	d.writePair(w, pair)
	return nil
}

func (d *Door) refresh(w http.ResponseWriter, r *http.Request) error {
	var req refreshRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	tok := req.Token
	if tok == "" {
		tok = req.RefreshToken
	}
	if tok == "" {
		return core.Invalid("missing_field", "token", "token is required")
	}
	if err := d.limit(r, "refresh", ""); err != nil {
		return err
	}
	pair, err := d.Core.Refresh(r.Context(), tok, core.RefreshOptions{
		Extra: func(core.User, core.Session) map[string]any { return map[string]any{"door": door} },
	})
	if err != nil {
		return err
	}
	d.writePair(w, pair)
	return nil
}

func (d *Door) logout(w http.ResponseWriter, r *http.Request) error {
	if principal(r).ViaAPIKey() {
		return core.ErrNoSession
	}
	if err := d.Core.Logout(r.Context(), principal(r).Session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) writePair(w http.ResponseWriter, p core.TokenPair) {
	httpjson.Write(w, http.StatusOK, tokenResponse{
		AccessToken: p.Access, RefreshToken: p.Refresh, TokenType: "Bearer",
		ExpiresIn: int64(p.ExpiresIn / time.Second),
	})
}
