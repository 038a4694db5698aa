package platform

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

const door = "platform"

func (d *Door) spec(r *http.Request) identity.SessionSpec {
	ip := ""
	if d.ClientIP != nil {
		ip = d.ClientIP(r)
	}
	return identity.SessionSpec{Door: door, UserAgent: r.UserAgent(), IP: ip, Extra: map[string]any{"door": door}}
}

// login is the platform API's password login; for an account with a second
// factor the right password is answered 401 mfa_required with an
// mfa_token, which the second call spends with an otp (secondFactor).
func (d *Door) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	if req.MFAToken != "" {
		return d.secondFactor(w, r, req)
	}
	if req.Username == "" || req.Password == "" {
		return core.Invalid("missing_field", "username", "username and password are required")
	}
	if err := d.checkSource(req.Source); err != nil {
		return err
	}
	if err := d.limit(r, core.EndpointLogin, identity.LookupKey(req.Username)); err != nil {
		return err
	}
	pair, _, err := d.Factors.SignIn(r.Context(), req.Username, req.Password, d.spec(r))
	if err != nil {
		return err
	}
	d.writePair(w, pair)
	return nil
}

// secondFactor completes a login answered mfa_required: the mfa_token and
// a TOTP or recovery code, never the password again.
func (d *Door) secondFactor(w http.ResponseWriter, r *http.Request, req loginRequest) error {
	if err := identity.SecondFactorRequest(req.Password, req.OTP); err != nil {
		return err
	}
	if err := d.limit(r, core.EndpointLogin, ""); err != nil {
		return err
	}
	pair, _, err := d.Factors.CompleteSignIn(r.Context(), req.MFAToken, req.OTP, d.spec(r))
	if err != nil {
		return err
	}
	d.writePair(w, pair)
	return nil
}

// externalToken gives an external service its own token pair (and session)
// on behalf of the caller (the platform API POST /v1/auth/token, which takes no
// parameters). An optional ?audience= names the service and becomes the
// token's only aud (identity.Service.CheckAudience); without it the token names
// identity.ExternalAudience. A token names one audience: two are refused. The
// seed sends no body; Gatehouse accepts an optional JSON body {"password"}
// for a caller whose sign-in is not recent (core.ErrReauthRequired).
func (d *Door) externalToken(w http.ResponseWriter, r *http.Request) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || len(q["audience"]) > 1 {
		return core.Invalid("invalid_audience", "audience", "send at most one audience, percent-encoded as a query parameter")
	}
	var req reauthRequest
	if r.ContentLength != 0 { // the published API's clients send none, some with a Content-Type
		if err := httpjson.Decode(r, &req); err != nil {
			return err
		}
	}
	p := principal(r)
	if req.Password != "" && !p.ViaAPIKey() {
		if err := d.limit(r, core.EndpointLogin, p.User.Email); err != nil {
			return err
		}
	}
	pair, err := d.Identity.ExternalToken(r.Context(), identity.RecentAuth{Principal: p, Password: req.Password}, q.Get("audience"))
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
	if err := d.limit(r, core.EndpointRefresh, ""); err != nil {
		return err
	}
	// The platform's own sessions, and the external ones its /v1/auth/token
	// opened; never another door's (a bank chain, a cashdesk shift). Each
	// refreshed token carries the claims of its session's first token: the
	// door claim of a platform sign-in (spec), none for an external one.
	pair, err := d.Identity.Refresh(r.Context(), tok, identity.RefreshOptions{
		Doors: []string{door, identity.ExternalDoor},
		Extra: func(_ identity.User, s identity.Session) map[string]any {
			if s.Door != door {
				return nil
			}
			return map[string]any{"door": door}
		},
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
	if err := d.Identity.Logout(r.Context(), principal(r).Session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (d *Door) writePair(w http.ResponseWriter, p identity.TokenPair) {
	httpjson.Write(w, http.StatusOK, tokenResponse{
		AccessToken: p.Access, RefreshToken: p.Refresh, TokenType: "Bearer",
		ExpiresIn: int64(p.ExpiresIn / time.Second),
	})
}
