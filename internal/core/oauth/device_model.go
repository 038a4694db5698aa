package oauth

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
)

// The device authorization grant (RFC 8628): a device without a browser
// (a command-line tool) asks for a device_code and a short user_code; the
// person types the user code on the hosted page /device in any browser,
// signs in and approves; the device polls the token endpoint with the
// device_code until the answer is there.

// Device authorization states: pending until the person answers, then
// approved or denied; redeemed once the approved device_code got tokens.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
	DeviceRedeemed = "redeemed"
)

// DeviceAuth is a device authorization (RFC 8628 §3.1–3.2) as stored:
// only the SHA-256 of the device code and of the normalised user code.
// The fields after Status are the person's answer (DecideDeviceAuth).
type DeviceAuth struct {
	DeviceHash []byte
	UserHash   []byte
	ClientID   string
	Scope      string
	Interval   time.Duration // the polling interval, whole seconds; grows by 5 s per slow_down
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastPollAt *time.Time
	SlowDown   bool // the last poll came sooner than the interval allows
	Status     string
	UserID     int64 // 0 until answered
	AuthTime   time.Time
	AMR        []string
	ACR        string
	BrowserSID string
	UserAgent  string
	IP         string
	DecidedAt  *time.Time
	RedeemedAt *time.Time
}

// DeviceRecords keep device authorizations (a part of Records). The state
// changes are conditional writes, so that concurrent answers and polls
// decide once.
type DeviceRecords interface {
	// InsertDeviceAuth stores d; ErrExists when its device or user code
	// hash is taken.
	InsertDeviceAuth(ctx context.Context, d *DeviceAuth) error
	// DeviceAuthByUserCode returns the authorization of this user code
	// hash, in any state; ErrNotFound when there is none.
	DeviceAuthByUserCode(ctx context.Context, userHash []byte) (DeviceAuth, error)
	// DecideDeviceAuth records the person's answer (d's Status, approved
	// or denied, and its UserID through IP) on the authorization of this
	// user code if it is pending and unexpired at now, setting DecidedAt
	// to now; ErrNotFound otherwise (of concurrent answers, one wins).
	DecideDeviceAuth(ctx context.Context, userHash []byte, d *DeviceAuth, now time.Time) error
	// PollDeviceAuth records a poll of the device code at now in one
	// atomic step and returns the authorization as updated: SlowDown is
	// set when the poll came sooner than four fifths of the interval after
	// the previous one (a margin for the network's jitter), and the
	// interval then grows by 5 seconds (RFC 8628 §3.5); LastPollAt is now.
	// ErrNotFound when there is no such code.
	PollDeviceAuth(ctx context.Context, deviceHash []byte, now time.Time) (DeviceAuth, error)
	// RedeemDeviceAuth marks an approved authorization unexpired at now
	// redeemed; first is true for exactly one of any number of concurrent
	// callers, false when it was not approved and live.
	RedeemDeviceAuth(ctx context.Context, deviceHash []byte, now time.Time) (first bool, err error)
	// PurgeDeviceAuths deletes authorizations that expired before before.
	PurgeDeviceAuths(ctx context.Context, before time.Time) error
}

// userCodeAlphabet is RFC 8628 §6.1's example: 20 consonants without
// vowels (no words) or look-alikes (0/O, 1/I); 8 of them are 34.5 bits,
// shown as XXXX-XXXX.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

const userCodeLen = 8

// newUserCode draws a user code uniformly from the alphabet (crypto/rand,
// bytes past the largest multiple of 20 are drawn again).
func newUserCode() string {
	out := make([]byte, 0, userCodeLen)
	buf := make([]byte, 16)
	for len(out) < userCodeLen {
		_, _ = rand.Read(buf) // never fails (crypto/rand)
		for _, b := range buf {
			if b < 240 && len(out) < userCodeLen {
				out = append(out, userCodeAlphabet[b%20])
			}
		}
	}
	return string(out)
}

// FormatUserCode shows a normalised user code as XXXX-XXXX.
func FormatUserCode(code string) string {
	if len(code) != userCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// normalUserCode reads a user code as a person types it (RFC 8628 §6.1):
// case, dashes and spaces do not matter; ok is false unless eight letters
// of the alphabet remain.
func normalUserCode(typed string) (string, bool) {
	if len(typed) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range typed {
		if 'a' <= r && r <= 'z' { // ASCII only: no Unicode case mapping turns ſ into S
			r -= 'a' - 'A'
		}
		switch {
		case r == '-' || r == ' ':
		case r < 128 && strings.IndexByte(userCodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != userCodeLen {
		return "", false
	}
	return b.String(), true
}
