package oauth

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// LogoutRequest is an RP-initiated logout request as the pages parsed it
// (OpenID Connect RP-Initiated Logout 1.0 §2): every field may be empty.
type LogoutRequest struct {
	IDTokenHint           string // id_token_hint: an id_token this server issued, expired or not
	ClientID              string // client_id
	PostLogoutRedirectURI string // post_logout_redirect_uri
	State                 string // state, returned on the redirect
}

// Logout is a judged logout request: the client it names (zero when
// none), what the hint said, and where to go afterwards ("": show the
// signed-out page).
type Logout struct {
	Client bank.Client
	// Hinted is true when an id_token_hint was given and verified; Subject
	// (the account's UUID) and SessionID (the web session of the sign-in,
	// sid) are then its claims.
	Hinted      bool
	Subject     string
	SessionID   string
	RedirectURI string
	State       string
}

// maxHint caps an id_token_hint: a signed id_token of this server is a
// few kilobytes at most.
const maxHint = 8192

// CheckLogout judges an RP-initiated logout request (RP-Initiated Logout
// 1.0 §2, §3): an id_token_hint must be an id_token this server signed
// (its signature with the ring's keys, iss, typ JWT, aud = azp = a
// registered client; an expired one is still a hint), else
// ErrInvalidToken; a client_id must be a registered client, and equal the
// hint's aud, else ErrInvalidClient; a post_logout_redirect_uri needs a
// client named by either and must be one of its post_logout_redirect_uris
// exactly, else ErrRedirectURI (never redirected to: §3 "MUST NOT
// perform post-logout redirection" otherwise). Nothing is changed.
func (s *Service) CheckLogout(ctx context.Context, r LogoutRequest) (l Logout, err error) {
	defer core.Op(&err, "CheckLogout")
	if len(r.State) > 512 || !core.IsText(r.State) {
		return Logout{}, invalidRequest("state", "state must be text of at most 512 bytes")
	}
	l.State = r.State
	clientID := r.ClientID
	if r.IDTokenHint != "" {
		c, err := s.verifyHint(ctx, r.IDTokenHint)
		if err != nil {
			return Logout{}, err
		}
		if clientID != "" && clientID != c.Audience {
			return Logout{}, core.ErrInvalidClient
		}
		clientID, l.Hinted, l.Subject, l.SessionID = c.Audience, true, c.Subject, c.SessionID
	}
	if clientID != "" {
		if l.Client, err = s.Client(ctx, clientID); err != nil {
			return Logout{}, err
		}
	}
	if r.PostLogoutRedirectURI != "" {
		if clientID == "" {
			return Logout{}, invalidRequest("client_id",
				"post_logout_redirect_uri needs the client named by id_token_hint or client_id")
		}
		if !slices.Contains(l.Client.PostLogoutRedirectURIs, r.PostLogoutRedirectURI) { // exact
			return Logout{}, core.ErrRedirectURI
		}
		l.RedirectURI = r.PostLogoutRedirectURI
	}
	return l, nil
}

// verifyHint checks that token is an id_token this server issued (OpenID
// Connect Core §2; RP-Initiated Logout §2 "the OP MUST validate that it
// was the issuer"); exp is not judged: a hint may have expired.
func (s *Service) verifyHint(ctx context.Context, token string) (identity.Claims, error) {
	bad := core.ErrInvalidToken.WithField("id_token_hint", "id_token_hint is not an id_token of this server")
	if len(token) > maxHint {
		return identity.Claims{}, bad
	}
	// id_tokens are the RS256 ring's (IDTokens) unless the signing ring is
	// RS256 itself or the client asked for the signing ring's algorithm.
	c, err := s.Tokens.Verify(ctx, token)
	if err != nil && s.IDTokens != nil {
		c, err = s.IDTokens.Verify(ctx, token)
	}
	if err != nil {
		return identity.Claims{}, bad.With(err)
	}
	// An access token (typ at+jwt) or a first-party token is no id_token:
	// only an id_token carries azp = aud (idToken).
	azp, _ := c.Extra["azp"].(string)
	if !strings.EqualFold(c.Type, "JWT") && c.Type != "" || c.Issuer != s.Policy.Issuer || c.Audience == "" ||
		azp != c.Audience || c.Subject == "" {
		return identity.Claims{}, bad
	}
	return c, nil
}

// EndLogout signs the person out, as RP-Initiated Logout §2 asks: the
// browser's web session webSID (the hosted pages' sign-in; "" when the
// browser holds none) ends, and so do the grants of l's client (its
// sessions of door oidc) opened from that sign-in or from the sign-in the
// hint names (l.SessionID), each with a session.revoked audit row
// (reason "rp-initiated logout"). Grants of other clients and other
// sign-ins stay: their relying parties log out on their own. userID is the
// account of webSID (0 when none).
func (s *Service) EndLogout(ctx context.Context, l Logout, userID int64, webSID string) (err error) {
	defer core.Op(&err, "EndLogout")
	if webSID != "" {
		if err := s.Identity.Logout(ctx, webSID); err != nil && !errors.Is(err, core.ErrNotFound) {
			return err
		}
	}
	if l.Client.ID == "" {
		return nil
	}
	sids := []string{}
	for _, sid := range []string{webSID, l.SessionID} {
		if sid != "" && !slices.Contains(sids, sid) {
			sids = append(sids, sid)
		}
	}
	users := []int64{}
	if userID != 0 {
		users = append(users, userID)
	}
	if l.Hinted {
		u, err := s.Identity.UserByUUID(ctx, l.Subject)
		switch {
		case errors.Is(err, core.ErrNotFound): // the account is gone: nothing of it is live
		case err != nil:
			return err
		case !slices.Contains(users, u.ID):
			users = append(users, u.ID)
		}
	}
	for _, uid := range users {
		if err := s.endGrants(ctx, uid, l.Client.ID, sids, "rp-initiated logout"); err != nil {
			return err
		}
	}
	return nil
}

// endGrants ends the user's live grants of the client (its sessions of
// this door), audited with reason: all of them when sids is nil (a
// revoked consent), else those opened from one of the browser sessions
// sids (an RP-initiated logout).
func (s *Service) endGrants(ctx context.Context, userID int64, clientID string, sids []string, reason string) error {
	sessions, err := s.Identity.Sessions(ctx, userID)
	if err != nil {
		return err
	}
	for _, sess := range sessions {
		if sess.Door != Door || sess.ClientID != clientID || (sids != nil && !slices.Contains(sids, sess.Attrs[attrSID])) {
			continue
		}
		if err := s.Identity.RevokeByToken(ctx, sess, clientID, reason); err != nil {
			return err
		}
	}
	return nil
}
