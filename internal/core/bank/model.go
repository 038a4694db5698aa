package bank

import "time"

// The bank door's domain (the bank API, docs/bank.md): OAuth
// clients, customers (companies) with their members and roles, the
// auth-factor policy of each role, the factors themselves and the devices a
// user trusts. These types are plain values; Records keeps them.

// Grant types a Client may be allowed (RFC 6749 and the bank door's steps).
const (
	GrantPassword     = "password"
	GrantCustomer     = "customer"
	GrantOTP          = "otp"
	GrantRefreshToken = "refresh_token"
)

// The standard grants (RFC 6749 §4.1 and §4.4, RFC 8628 §3.4) that the
// OAuth 2 / OpenID Connect door serves to the same clients.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
)

// UserTypeCustomer is the only user type of the bank door today: a person
// with an IIN who acts for one of the customers (companies) they belong to.
const UserTypeCustomer = "customer"

// Client is an OAuth client of the bank door. A public client (a browser
// app such as the default WEB) has no secret; a confidential one
// authenticates with a generated secret, of which only the SHA-256 hash is
// kept (it is a 256-bit random value, so a slow hash buys nothing).
type Client struct {
	ID         string
	Name       string
	SecretHash []byte // nil for a public client
	GrantTypes []string
	UserTypes  []string
	AccessTTL  time.Duration // zero: Policy.AccessTTL
	RefreshTTL time.Duration // zero: Policy.RefreshTTL
	Origins    []string      // allowed browser origins; none means any
	Metadata                 // what the standard door reads (RFC 7591 §2)
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Public reports whether the client has no secret.
func (c Client) Public() bool { return len(c.SecretHash) == 0 }

// Customer is a company users act for. ID is the number the published API shows.
type Customer struct {
	ID         int64
	Name       string
	ExternalID string // customer_external_id; "" shows as null
	BranchCode string // bank_branch_code; "" shows as null
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Factor names, as they appear in chains and in passed_auth_factors.
const (
	FactorSMS    = "OTP_SMS"
	FactorEmail  = "OTP_EMAIL"
	FactorTOTP   = "TOTP"
	FactorDevice = "DEVICE" // a trusted device standing in for the chain, when the role allows it
)

// ChainFactors lists the factors a role's chain may name.
func ChainFactors() []string { return []string{FactorSMS, FactorEmail, FactorTOTP} }

// CustomerRole is what a member may do in a customer, and how they must
// prove who they are: Chains are the alternative factor chains (any one
// completes the login; the factors of a chain may be passed in any order),
// DeviceSkip lets a trusted device stand in for them. Version grows with
// every change, so tokens issued under an older policy can be told apart.
type CustomerRole struct {
	ID         int64
	Code       string // e.g. DIRECTOR, ACCOUNTANT
	Name       string
	Chains     [][]string
	DeviceSkip bool
	SignLevel  string // sign_level; "" shows as null
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Membership ties a user to a customer with a role. ID is the published API's
// customer_user_id. Customer and Role are filled when read.
type Membership struct {
	ID         int64
	UserID     int64
	CustomerID int64
	RoleID     int64
	CreatedAt  time.Time
	Customer   Customer
	Role       CustomerRole
}

// Profile is what the bank door knows of a user beyond the account: the
// IIN (cus_unique_idn, also a login) and the phone that OTP_SMS codes go to.
type Profile struct {
	UserID    int64
	IIN       string
	Phone     string // E.164, "" when none
	UpdatedAt time.Time
}

// OTPChallenge is a one-time code sent by SMS or e-mail for one session.
// A new code for the same session and factor replaces the old one.
type OTPChallenge struct {
	SessionID   string
	Factor      string
	CodeHash    []byte
	Destination string // where it went (a phone or an address), for the masked echo
	Attempts    int
	MaxAttempts int
	Sends       int // codes sent for this session and factor, new ones included
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      *time.Time
}
