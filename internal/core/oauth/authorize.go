package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// pkcePattern is RFC 7636 §4.1's code_verifier (and, at 43 characters, the
// S256 code_challenge of §4.2): 43-128 unreserved characters.
var pkcePattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// Check judges an authorization request (RFC 6749 §4.1.1, OpenID Connect
// Core §3.1.2.2) and returns its client. Errors in the order the door must
// tell them apart: ErrInvalidClient and ErrRedirectURI are shown as a page,
// never redirected (RFC 6749 §4.1.2.1); every other error is sent to the
// redirect URI. A public client must send a PKCE S256 challenge; plain is
// refused (the OAuth 2.0 Security BCP §2.1.1).
func (s *Service) Check(ctx context.Context, r *Request) (bank.Client, error) {
	c, err := s.Client(ctx, r.ClientID)
	if err != nil {
		return bank.Client{}, err
	}
	if !slices.Contains(c.RedirectURIs, r.RedirectURI) { // exact, RFC 6749 §3.1.2.3
		return bank.Client{}, core.ErrRedirectURI
	}
	if r.ResponseType != "code" {
		return c, core.ErrUnsupportedResponseType
	}
	if !c.Allows(bank.GrantAuthorizationCode, "") {
		return c, core.ErrUnauthorizedClient
	}
	if err := s.checkScope(c, r.Scope); err != nil {
		return c, err
	}
	switch r.CodeChallengeMethod {
	case "":
		if r.CodeChallenge != "" {
			return c, invalidRequest("code_challenge_method", "code_challenge_method must be S256")
		}
		if c.Method() == bank.AuthNone {
			return c, invalidRequest("code_challenge", "a public client must use PKCE (code_challenge with S256)")
		}
	case "S256":
		if len(r.CodeChallenge) != 43 || !pkcePattern.MatchString(r.CodeChallenge) {
			return c, invalidRequest("code_challenge", "code_challenge must be the 43-character S256 challenge")
		}
	default:
		return c, invalidRequest("code_challenge_method", "code_challenge_method must be S256 (plain is refused)")
	}
	switch r.Prompt {
	case "", "login", "none", "consent":
	default:
		return c, invalidRequest("prompt", "prompt must be login, none or consent")
	}
	for _, f := range []struct{ name, v string }{{"state", r.State}, {"nonce", r.Nonce}, {"login_hint", r.LoginHint}} {
		if len(f.v) > 512 || !core.IsText(f.v) {
			return c, invalidRequest(f.name, f.name+" must be text of at most 512 bytes")
		}
	}
	return c, nil
}

// checkScope accepts the scopes the server offers and the client may ask
// for (its registered scope, when it has one); openid is required (this
// is the OpenID Connect door).
func (s *Service) checkScope(c bank.Client, scope string) error {
	asked := strings.Fields(scope)
	if !slices.Contains(asked, ScopeOpenID) {
		return core.ErrInvalidScope.WithField("scope", "scope must include openid")
	}
	allowed := strings.Fields(c.Scope)
	for _, sc := range asked {
		if !slices.Contains(Scopes(), sc) || len(allowed) > 0 && !slices.Contains(allowed, sc) {
			return core.ErrInvalidScope.WithField("scope", "scope "+sc+" is unknown or not allowed to this client")
		}
	}
	return nil
}

func invalidRequest(field, msg string) *core.Error {
	return core.Invalid("invalid_request", field, msg)
}

// Keep stores a checked request while the browser signs in, and returns
// it with its ID (a random UUID, no secret: what it names is only what
// the browser itself sent).
func (s *Service) Keep(ctx context.Context, r Request) (Request, error) {
	r.ID, r.CreatedAt = uuid.NewString(), s.now()
	r.ExpiresAt = r.CreatedAt.Add(s.Policy.RequestTTL)
	return r, s.store.PutAuthRequest(ctx, &r)
}

// Kept returns a kept request; ErrNotFound when unknown or expired.
func (s *Service) Kept(ctx context.Context, id string) (Request, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Request{}, core.ErrNotFound
	}
	r, err := s.store.AuthRequestByID(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if !s.now().Before(r.ExpiresAt) {
		return Request{}, core.ErrNotFound
	}
	return r, nil
}

// Next is what an authorization request needs before a code.
type Next int

const (
	NextIssue   Next = iota // a code can be issued now
	NextSignIn              // the browser must sign in (again)
	NextConsent             // the user must consent to the scopes
)

// Decide says what r needs, given the browser's sign-in (ok false: none):
// prompt=login and max_age (OpenID Connect Core §3.1.2.1) ask for a
// sign-in newer than the request or than max_age seconds; a client not
// marked skip_consent needs the user's consent covering the scopes
// (asked again on prompt=consent, unless this request was consented to by
// the same account: AnswerConsent). A request the signed-in account
// denied is ErrAccessDenied. With prompt=none, what would need the user
// is ErrLoginRequired or ErrConsentRequired instead.
func (s *Service) Decide(ctx context.Context, c bank.Client, r Request, l Login, ok bool) (Next, error) {
	fresh := ok
	// prompt=login: a sign-in after the request was kept (a request not
	// yet kept has had none).
	if ok && r.Prompt == "login" && (r.ID == "" || l.AuthTime.Before(r.CreatedAt.Truncate(time.Second))) {
		fresh = false
	}
	if ok && r.MaxAge >= 0 && s.now().Sub(l.AuthTime) > time.Duration(r.MaxAge)*time.Second {
		fresh = false
	}
	if !fresh {
		if r.Prompt == "none" {
			return 0, core.ErrLoginRequired
		}
		return NextSignIn, nil
	}
	if r.DeniedBy != "" && r.DeniedBy == l.AccountID {
		return 0, core.ErrAccessDenied
	}
	if c.SkipConsent {
		return NextIssue, nil
	}
	granted, err := s.consented(ctx, l.AccountID, c.ID, r.Scope)
	if err != nil {
		return 0, err
	}
	switch {
	case granted && (r.Prompt != "consent" || r.ConsentedBy == l.AccountID):
		return NextIssue, nil
	case r.Prompt == "none":
		return 0, core.ErrConsentRequired
	}
	return NextConsent, nil
}

// IssueCode issues the authorization code of a checked request for the
// browser's sign-in l (RFC 6749 §4.1.2): single use, CodeTTL, bound to the
// client, the redirect URI, the PKCE challenge and the nonce, and carrying
// the sign-in's time and factors for the id_token.
func (s *Service) IssueCode(ctx context.Context, r Request, l Login) (code string, err error) {
	defer core.Op(&err, "IssueCode")
	u, err := s.Identity.UserByUUID(ctx, l.AccountID)
	if err != nil {
		return "", err
	}
	code = core.NewSecret()
	now := s.now()
	c := Code{Hash: core.HashSecret(code), ClientID: r.ClientID, UserID: u.ID, RedirectURI: r.RedirectURI,
		Scope: normalScope(r.Scope), Nonce: r.Nonce, Challenge: r.CodeChallenge, AuthTime: l.AuthTime.UTC(),
		AMR: l.AMR, ACR: l.ACR, BrowserSID: l.SessionID, UserAgent: l.UserAgent, IP: l.IP,
		CreatedAt: now, ExpiresAt: now.Add(s.Policy.CodeTTL)}
	e := identity.AuditEvent{Type: identity.AuditOAuthCode, UserID: u.ID, Actor: identity.UserActor(u.ID), Subject: r.ClientID,
		IP: l.IP, UserAgent: l.UserAgent, Detail: map[string]string{"door": Door, "client_id": r.ClientID, "scope": c.Scope}}
	err = identity.Audited(ctx, s.Identity, s.store.Tx, e, func(tx Store) error {
		if r.ID != "" {
			if err := tx.DeleteAuthRequest(ctx, r.ID); err != nil && !errors.Is(err, core.ErrNotFound) {
				return err
			}
		}
		return tx.InsertAuthCode(ctx, &c)
	})
	return code, err
}

// normalScope is scope with its tokens once each, in the order given.
func normalScope(scope string) string {
	var out []string
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " ")
}

// verifyPKCE checks a code_verifier against the code's S256 challenge
// (RFC 7636 §4.6): BASE64URL(SHA256(verifier)) == challenge, compared in
// constant time. A verifier for a code issued without a challenge is
// refused as well (an injected code, §4.1 of the Security BCP).
func verifyPKCE(challenge, verifier string) error {
	switch {
	case challenge == "" && verifier == "":
		return nil
	case challenge == "" || !pkcePattern.MatchString(verifier):
		return core.ErrPKCE
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) != 1 {
		return core.ErrPKCE
	}
	return nil
}
