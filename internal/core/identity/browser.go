package identity

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The hosted pages' sessions: a browser holds the first refresh token of
// a session of WebDoor in an HttpOnly cookie, and every page request reads
// the session back through it (SessionBySecret). No door refreshes a web
// session (RefreshOptions.Doors never lists it), so that token is never
// spent and stays the session's one secret.

// WebDoor is the door of the hosted pages' sessions.
const WebDoor = "web"

// amrAttr is the session attribute listing the authentication methods the
// sign-in passed (RFC 8176 §2 values, space-separated).
const amrAttr = "amr"

// AMR are the RFC 8176 authentication method references the sign-in of
// sess passed ("pwd", "otp", "mfa", …), as SessionSpec.AMR recorded them;
// nil when the door that opened it recorded none.
func AMR(sess Session) []string {
	v := sess.Attrs[amrAttr]
	if v == "" {
		return nil
	}
	return strings.Fields(v)
}

// ACR is the authentication context class of a sign-in that passed amr
// (OpenID Connect Core §2 "acr"), in RFC 8176's words as the id_token's
// amr: "mfa" when it passed two or more methods (or amr says mfa), else
// its one method ("pwd"); "" when the door recorded none. Gatehouse
// claims no level of an assurance framework (ISO/IEC 29115, eIDAS).
func ACR(amr []string) string {
	methods := slices.DeleteFunc(slices.Clone(amr), func(m string) bool { return m == "mfa" })
	slices.Sort(methods)
	methods = slices.Compact(methods)
	switch {
	case len(amr) == 0:
		return ""
	case slices.Contains(amr, "mfa") || len(methods) > 1:
		return "mfa"
	}
	return methods[0]
}

// amrOfFactor is the RFC 8176 §2 method of a second factor: "otp" for an
// authenticator app's code, "kba" (knowledge) for a recovery code.
func amrOfFactor(factor string) string {
	if factor == FactorNameRecovery {
		return "kba"
	}
	return "otp"
}

// withAMR adds the methods of spec.AMR to attrs (a copy), when any.
func withAMR(attrs map[string]string, amr []string) map[string]string {
	if len(amr) == 0 {
		return attrs
	}
	out := make(map[string]string, len(attrs)+1)
	for k, v := range attrs {
		out[k] = v
	}
	out[amrAttr] = strings.Join(amr, " ")
	return out
}

// SessionBySecret is the principal of a browser session: the active,
// complete session of door whose first refresh token is secret, and its
// user. ErrInvalidToken for an unknown, spent, revoked, expired or pending
// session, or one of another door; ErrAccountLocked when its user is
// locked.
func (s *Service) SessionBySecret(ctx context.Context, door, secret string) (Principal, error) {
	return s.sessionBySecret(ctx, door, secret, false)
}

// StepBySecret is SessionBySecret for a sign-in still under way: the
// active, pending session of door whose first refresh token is secret (the
// hosted pages' factor chain, bank.Pages). ErrInvalidToken for a complete
// session and every case SessionBySecret refuses.
func (s *Service) StepBySecret(ctx context.Context, door, secret string) (Principal, error) {
	return s.sessionBySecret(ctx, door, secret, true)
}

func (s *Service) sessionBySecret(ctx context.Context, door, secret string, pending bool) (Principal, error) {
	if secret == "" || len(secret) > 256 {
		return Principal{}, core.ErrInvalidToken
	}
	rt, err := s.store.RefreshTokenByHash(ctx, core.HashSecret(secret))
	if errors.Is(err, core.ErrNotFound) {
		return Principal{}, core.ErrInvalidToken
	}
	if err != nil {
		return Principal{}, err
	}
	if rt.UsedAt != nil || rt.Parent != nil {
		return Principal{}, core.ErrInvalidToken
	}
	sess, err := s.store.SessionByID(ctx, rt.SessionID)
	if errors.Is(err, core.ErrNotFound) {
		return Principal{}, core.ErrInvalidToken
	}
	if err != nil {
		return Principal{}, err
	}
	if sess.Door != door || sess.Pending != pending || !sess.Active(s.now()) {
		return Principal{}, core.ErrInvalidToken
	}
	u, err := s.bearerUser(ctx, sess.UserID)
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: u, Session: sess}, nil
}
