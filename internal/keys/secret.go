package keys

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// SecretStore keeps server-wide secret keys, sealed with the master key,
// decided once by the first node and adopted by every other.
type SecretStore interface {
	// SealedSecret returns the sealed value of name, or ErrNotFound.
	SealedSecret(ctx context.Context, name string) ([]byte, error)
	// PutSealedSecretOnce stores sealed under name unless name exists; it
	// reports whether this call stored it (false: another node was first).
	PutSealedSecretOnce(ctx context.Context, name string, sealed []byte, at time.Time) (bool, error)
}

// LoadSecret returns the 32-byte secret key name, making, sealing and
// storing one if the store has none. Nodes that start together store one
// between them (the first insert wins) and every node opens the stored
// one, so all of them hold the same key; a master-key rotation re-seals
// it with the rest (sqlstore.SealedColumns).
func LoadSecret(ctx context.Context, st SecretStore, sealer core.Sealer, name string, now time.Time) ([]byte, error) {
	sealed, err := st.SealedSecret(ctx, name)
	if errors.Is(err, core.ErrNotFound) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("keys.LoadSecret(%q): %w", name, err)
		}
		s, serr := sealer.Seal(key)
		if serr != nil {
			return nil, fmt.Errorf("keys.LoadSecret(%q): %w", name, serr)
		}
		if _, err := st.PutSealedSecretOnce(ctx, name, s, now); err != nil {
			return nil, fmt.Errorf("keys.LoadSecret(%q): %w", name, err)
		}
		sealed, err = st.SealedSecret(ctx, name) // ours, or the node's that was first
	}
	if err != nil {
		return nil, fmt.Errorf("keys.LoadSecret(%q): %w", name, err)
	}
	key, err := sealer.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("keys.LoadSecret(%q): open: %w", name, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("keys.LoadSecret(%q): the stored key has %d bytes, want 32", name, len(key))
	}
	return key, nil
}
