package identity

import "context"

// A request's recent authentication is judged once: a door's guard judges
// it before an Idempotency-Key is looked up (so that a replay meets it
// too), and the operation it guards then finds the proof in the request's
// context instead of hashing the password a second time. Only the core
// can make the proof (its key is unexported), and only for the principal
// that passed.

type recentAuthKey struct{}

type recentAuthProof struct {
	userID    int64
	sessionID string
}

// ProveRecentAuth judges a as requireRecentAuth does (its errors) and
// returns ctx carrying the proof for a's principal.
func (s *Service) ProveRecentAuth(ctx context.Context, a RecentAuth) (context.Context, error) {
	if err := s.requireRecentAuth(ctx, a); err != nil {
		return ctx, err
	}
	p := a.Principal
	return context.WithValue(ctx, recentAuthKey{}, recentAuthProof{userID: p.User.ID, sessionID: p.Session.ID}), nil
}

// provenRecently reports whether ctx carries a proof for p's session (never
// for an API key, which has none).
func provenRecently(ctx context.Context, p Principal) bool {
	proof, ok := ctx.Value(recentAuthKey{}).(recentAuthProof)
	return ok && !p.ViaAPIKey() && p.Session.ID != "" && proof == recentAuthProof{userID: p.User.ID, sessionID: p.Session.ID}
}
