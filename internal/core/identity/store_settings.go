package identity

import (
	"context"
	"time"
)

// SettingsStore keeps server-wide values decided once and shared by every
// node, and answers the questions start-up asks of the accounts.
type SettingsStore interface {
	// Setting returns the value of key, or ErrNotFound.
	Setting(ctx context.Context, key string) (string, error)
	// PutSettingOnce stores value under key unless the key exists; it
	// reports whether this call stored it (false: another node was first).
	PutSettingOnce(ctx context.Context, key, value string, at time.Time) (bool, error)
	// HasRole reports whether any user holds role.
	HasRole(ctx context.Context, role string) (bool, error)
}
