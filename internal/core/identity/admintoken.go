package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/core"
)

// AdminRole is the role that makes a user an administrator.
const AdminRole = "admin"

// adminTokenSetting names the stored SHA-256 of the generated admin token.
const adminTokenSetting = "admin_token_sha256"

// AdminToken decides the SHA-256 of the token that opens the admin API
// (README "Configuration", GATEHOUSE_ADMIN_TOKEN): of configured when it
// is set; else the one generated at an earlier first start (only its hash
// is kept, in the shared store, so every node and every restart accepts
// it); else, when no admin user exists either, of a new token, returned as
// generated for the caller to show once, never to the log. A nil hash
// means the admin API opens to admin users' tokens only.
func (s *Service) AdminToken(ctx context.Context, configured string) (hash []byte, generated string, err error) {
	if configured != "" {
		h := sha256.Sum256([]byte(configured))
		return h[:], "", nil
	}
	for {
		stored, err := s.store.Setting(ctx, adminTokenSetting)
		if err == nil {
			hash, err := hex.DecodeString(stored)
			return hash, "", err
		}
		if !errors.Is(err, core.ErrNotFound) {
			return nil, "", fmt.Errorf("admin token: %w", err)
		}
		if has, err := s.store.HasRole(ctx, AdminRole); err != nil || has {
			return nil, "", err
		}
		token := core.NewSecret()
		h := sha256.Sum256([]byte(token))
		first, err := s.store.PutSettingOnce(ctx, adminTokenSetting, hex.EncodeToString(h[:]), s.now())
		if err != nil {
			return nil, "", fmt.Errorf("admin token: %w", err)
		}
		if first {
			return h[:], token, nil
		}
		// Another node started at the same moment and decided: read its.
	}
}

// Purge forgets what has expired: sessions, refresh tokens, codes, sign-in
// challenges, idempotency records and messages past their use (the store's
// purge), the sealed refresh successors whose grace has passed, audit
// events past their retention and lockout counters idle past the window.
// The server's maintenance runs it.
func (s *Service) Purge(ctx context.Context) error {
	if err := s.store.Purge(ctx, s.now()); err != nil {
		return err
	}
	if err := s.ForgetSuccessors(ctx); err != nil {
		return fmt.Errorf("forget sealed refresh successors: %w", err)
	}
	return s.PurgeAudit(ctx)
}
