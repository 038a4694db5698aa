package core

import "context"

// Endpoint names a group of requests that share rate limits (SECURITY.md
// "Rate limits"): a door's endpoint, or a step of one. The names are the
// keys of GATEHOUSE_RATE_LIMIT_RULES; a name not listed here is refused
// there at start.
type Endpoint string

// The endpoints with limits of their own; every other request a door
// limits counts under EndpointDefault.
const (
	EndpointRegister    Endpoint = "register"
	EndpointLogin       Endpoint = "login" // every password check: sign-in, re-entry
	EndpointResend      Endpoint = "resend"
	EndpointRestore     Endpoint = "restore"
	EndpointReset       Endpoint = "reset"
	EndpointConfirm     Endpoint = "confirm"
	EndpointExists      Endpoint = "exists"
	EndpointOTP         Endpoint = "otp"
	EndpointRefresh     Endpoint = "refresh"
	EndpointIdempotency Endpoint = "idempotency" // requests carrying an Idempotency-Key, before the key is looked up
	// The bank door: step 1 counts per IP and client before the RSA
	// decryption, then per decrypted username; later steps per user of
	// the step token and per its client.
	EndpointBankLogin    Endpoint = "bank_login"
	EndpointBankUser     Endpoint = "bank_user"
	EndpointBankCustomer Endpoint = "bank_customer"
	EndpointBankFactor   Endpoint = "bank_factor"
	EndpointBankOTP      Endpoint = "bank_otp"
	EndpointBankRefresh  Endpoint = "bank_refresh"
	EndpointBankRevoke   Endpoint = "bank_revoke"
	// EndpointUserCode counts the codes typed on the device page (RFC
	// 8628 §5.1: a short user code is guessed by brute force otherwise).
	EndpointUserCode Endpoint = "user_code"
	// EndpointAdmin counts wrong credentials at the admin API per IP (a
	// static GATEHOUSE_ADMIN_TOKEN is guessed otherwise); right ones are
	// not counted, and a blocked IP is refused before any is compared.
	EndpointAdmin   Endpoint = "admin"
	EndpointDefault Endpoint = "default"
)

// Endpoints lists every endpoint name.
func Endpoints() []Endpoint {
	return []Endpoint{
		EndpointRegister, EndpointLogin, EndpointResend, EndpointRestore, EndpointReset, EndpointConfirm,
		EndpointExists, EndpointOTP, EndpointRefresh, EndpointIdempotency,
		EndpointBankLogin, EndpointBankUser, EndpointBankCustomer, EndpointBankFactor, EndpointBankOTP,
		EndpointBankRefresh, EndpointBankRevoke, EndpointUserCode, EndpointAdmin, EndpointDefault,
	}
}

// Limit counts one request to e against its rate limits: per client IP and
// per OAuth client as the context's Caller names them, and per subject
// (the address tried; "" counts none). Past a limit it answers a
// RateLimited error. A nil Limit limits nothing.
type Limit func(ctx context.Context, e Endpoint, subject string) error

// Check runs l, when there is one.
func (l Limit) Check(ctx context.Context, e Endpoint, subject string) error {
	if l == nil {
		return nil
	}
	return l(ctx, e, subject)
}
