package core

// Wire codes of the bank door's domain. The bank door maps them to RFC
// 6749 error codes; the JSON doors show them as they are.
var (
	ErrExists             = &Error{Kind: KindConflict, Code: "already_exists", Message: "already exists"}
	ErrInUse              = &Error{Kind: KindConflict, Code: "in_use", Message: "still in use"}
	ErrInvalidClient      = &Error{Kind: KindUnauthenticated, Code: "invalid_client", Message: "client authentication failed"}
	ErrUnauthorizedClient = &Error{Kind: KindInvalid, Code: "unauthorized_client", Message: "the client may not use this grant type or user type"}
	ErrUnsupportedGrant   = &Error{Kind: KindInvalid, Code: "unsupported_grant_type", Message: "unsupported grant_type"}
	ErrWrongStep          = &Error{Kind: KindInvalid, Code: "invalid_step", Message: "this step does not follow the token's step"}
	ErrNoSuchCustomer     = &Error{Kind: KindInvalid, Code: "invalid_customer", Message: "customer is not available to this user"}
	ErrFactorNotAllowed   = &Error{Kind: KindInvalid, Code: "factor_not_allowed", Message: "this factor is not part of a possible chain"}
	ErrFactorUnavailable  = &Error{Kind: KindInvalid, Code: "factor_unavailable", Message: "this factor is not set up for the user"}
	ErrOTPInvalid         = &Error{Kind: KindInvalid, Code: "invalid_otp", Message: "code is invalid or expired"}
	ErrOTPAttempts        = &Error{Kind: KindInvalid, Code: "otp_attempts_exceeded", Message: "too many attempts; request a new code"}
	ErrRoleChanged        = &Error{Kind: KindInvalid, Code: "role_changed", Message: "the role changed since login; log in again"}
	ErrDeviceUnknown      = &Error{Kind: KindInvalid, Code: "device_not_trusted", Message: "this device is not trusted"}
	ErrInvalidIIN         = &Error{Kind: KindInvalid, Code: "invalid_iin", Field: "iin", Message: "IIN must be 12 digits with a valid check digit"}
	ErrSMSUnavailable     = &Error{Kind: KindInvalid, Code: "sms_unavailable", Message: "OTP_SMS cannot be used: this server has no SMS gateway configured (GATEHOUSE_SMS_URL)"}
	// ErrNoPossibleChain refuses step 2 when the user can pass none of the
	// role's chains and no trusted device may skip them.
	ErrNoPossibleChain = &Error{Kind: KindInvalid, Code: "no_possible_chain", Message: "none of this role's factor chains can be passed: the user lacks what they need (a phone for OTP_SMS, an enrolled authenticator for TOTP)"}
	// ErrNoPossibleChainSMS is ErrNoPossibleChain when only the missing SMS
	// gateway stands in the way.
	ErrNoPossibleChainSMS = &Error{Kind: KindInvalid, Code: "no_possible_chain", Message: "the user could pass this role's factor chains only with OTP_SMS, and this server has no SMS gateway configured (GATEHOUSE_SMS_URL)"}
)
