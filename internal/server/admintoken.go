package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/door/admin"
)

// adminTokenSetting names the stored SHA-256 of the generated admin token.
const adminTokenSetting = "admin_token_sha256"

// adminToken returns the SHA-256 of the token that opens the admin API
// (DESIGN.md "Configuration", GATEHOUSE_ADMIN_TOKEN): the configured one;
// else the one generated at an earlier first start (only its hash is kept,
// in the shared store, so every node accepts it); else, when no admin user
// exists either, a new one, written once to stderr and never to the log.
// Nil means the admin API opens to admin users' tokens only. A lost
// generated token is replaced by setting GATEHOUSE_ADMIN_TOKEN or making an
// admin user with `gatehouse user create --role admin`.
func (s *Server) adminToken(ctx context.Context) ([]byte, error) {
	if s.Config.AdminToken != "" {
		h := sha256.Sum256([]byte(s.Config.AdminToken))
		return h[:], nil
	}
	stored, err := s.Store.Setting(ctx, adminTokenSetting)
	if err == nil {
		return hex.DecodeString(stored)
	}
	if !errors.Is(err, core.ErrNotFound) {
		return nil, fmt.Errorf("admin token: %w", err)
	}
	if has, err := s.Store.HasRole(ctx, admin.Role); err != nil || has {
		return nil, err
	}
	token := core.NewSecret()
	h := sha256.Sum256([]byte(token))
	first, err := s.Store.PutSettingOnce(ctx, adminTokenSetting, hex.EncodeToString(h[:]), s.now())
	if err != nil {
		return nil, fmt.Errorf("admin token: %w", err)
	}
	if !first { // another node started at the same moment and decided
		return s.adminToken(ctx)
	}
	fmt.Fprintf(s.opts.Stderr, "gatehouse: GATEHOUSE_ADMIN_TOKEN is not set and no admin exists; the admin API token, shown this once:\n%s\n", token)
	return h[:], nil
}
