// Package config holds Gatehouse's settings as a plain struct and loads them
// from a YAML file, the environment and flags, in rising precedence
// (README.md "Configuration": these names are a contract).
package config

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// Config is every setting of the server. Field tags name the environment
// variable (env) and the YAML key / flag name (key), the help text of the
// flag (help); secret:"true" redacts the value in the log and, like
// file:"true", adds a _FILE variant (GATEHOUSE_X_FILE, key x-file, flag
// --x-file) read from a file; list:"true" accepts a YAML list, kept
// comma-separated. A new setting is one field here and its default in
// Default (load.go reads the tags; docs/design.md "Settings").
type Config struct {
	Addr                  string        `env:"GATEHOUSE_ADDR" key:"addr" help:"listen address"`
	DatabaseURL           string        `env:"GATEHOUSE_DATABASE_URL" key:"database-url" help:"sqlite://PATH, sqlite::memory: or postgres://…" file:"true"`
	RedisURL              string        `env:"GATEHOUSE_REDIS_URL" key:"redis-url" help:"redis://… for limits shared across nodes" secret:"true"`
	SMTPURL               string        `env:"GATEHOUSE_SMTP_URL" key:"smtp-url" help:"smtp://user:pass@host:port or smtps://…; empty: mail is printed" secret:"true"`
	MailFrom              string        `env:"GATEHOUSE_MAIL_FROM" key:"mail-from" help:"sender of mail"`
	PublicURL             string        `env:"GATEHOUSE_PUBLIC_URL" key:"public-url" help:"base of links in mail, issuer of tokens"`
	AdminToken            string        `env:"GATEHOUSE_ADMIN_TOKEN" key:"admin-token" help:"bearer token of the admin API" secret:"true"`
	MasterKey             string        `env:"GATEHOUSE_MASTER_KEY" key:"master-key" help:"base64 of 32 bytes; encrypts keys at rest" secret:"true"`
	MasterKeyPrevious     string        `env:"GATEHOUSE_MASTER_KEY_PREVIOUS" key:"master-key-previous" help:"during a master-key rotation: the key being replaced, still opened, never used to seal (keys.go)" secret:"true"`
	TrustedProxies        string        `env:"GATEHOUSE_TRUSTED_PROXIES" key:"trusted-proxies" help:"CIDRs whose X-Forwarded-For is believed" list:"true"`
	LogFormat             string        `env:"GATEHOUSE_LOG_FORMAT" key:"log-format" help:"text or json"`
	Sources               string        `env:"GATEHOUSE_SOURCES" key:"sources" help:"allowed source values of the platform door, first is the default" list:"true"`
	RefreshGrace          time.Duration `env:"GATEHOUSE_REFRESH_GRACE" key:"refresh-grace" help:"window, after the spent token's use + the request timeout, in which it gets its unused successor again; 0 disables"`
	MailResendInterval    time.Duration `env:"GATEHOUSE_MAIL_RESEND_INTERVAL" key:"mail-resend-interval" help:"at most one mail of a kind per address per interval"`
	CredentialPaddings    string        `env:"GATEHOUSE_CREDENTIAL_PADDINGS" key:"credential-paddings" help:"bank door: oaep and/or pkcs1" list:"true"`
	RateLimits            string        `env:"GATEHOUSE_RATE_LIMITS" key:"rate-limits" help:"on or off"`
	RequireConfirmed      bool          `env:"GATEHOUSE_REQUIRE_CONFIRMED_EMAIL" key:"require-confirmed-email" help:"refuse login until the e-mail is confirmed"`
	AccessTTL             time.Duration `env:"GATEHOUSE_ACCESS_TTL" key:"access-ttl" help:"access token lifetime"`
	RefreshTTL            time.Duration `env:"GATEHOUSE_REFRESH_TTL" key:"refresh-ttl" help:"refresh token and session lifetime"`
	ConfirmTTL            time.Duration `env:"GATEHOUSE_CONFIRM_TTL" key:"confirm-ttl" help:"e-mail confirmation code lifetime"`
	ResetTTL              time.Duration `env:"GATEHOUSE_RESET_TTL" key:"reset-ttl" help:"password reset token lifetime"`
	PasswordMinLength     int           `env:"GATEHOUSE_PASSWORD_MIN_LENGTH" key:"password-min-length" help:"shortest password accepted"`
	PasswordMaxLength     int           `env:"GATEHOUSE_PASSWORD_MAX_LENGTH" key:"password-max-length" help:"longest password accepted"`
	SigningAlg            string        `env:"GATEHOUSE_SIGNING_ALG" key:"signing-alg" help:"RS256, RS256-4096, ES256 or EdDSA"`
	MaxBodyBytes          int64         `env:"GATEHOUSE_MAX_BODY_BYTES" key:"max-body-bytes" help:"largest request body accepted"`
	BankZone              string        `env:"GATEHOUSE_BANK_ZONE" key:"bank-zone" help:"bank door: time zone of the answer's created field"`
	BankRequireProfile    bool          `env:"GATEHOUSE_BANK_REQUIRE_PROFILE" key:"bank-require-profile" help:"bank door: step 1 admits only accounts with a bank profile (IIN); off: every account signs in, with no customers until an operator adds some"`
	OTPAttempts           int           `env:"GATEHOUSE_OTP_ATTEMPTS" key:"otp-attempts" help:"codes allowed per code sent by the bank door and per mfa_token (and TOTP tries per user per 15 minutes)"`
	OTPTTL                time.Duration `env:"GATEHOUSE_OTP_TTL" key:"otp-ttl" help:"lifetime of a code the bank door sends by SMS or e-mail, and of an mfa_token"`
	SMSURL                string        `env:"GATEHOUSE_SMS_URL" key:"sms-url" help:"where OTP_SMS codes go: https://… (JSON gateway), twilio://ACCOUNT_SID@api.twilio.com?from=+1…, log: (stderr); empty: no SMS factor"`
	SMSToken              string        `env:"GATEHOUSE_SMS_TOKEN" key:"sms-token" help:"secret of the SMS gateway: its bearer token, or the Twilio auth token" secret:"true"`
	PhoneRegion           string        `env:"GATEHOUSE_PHONE_REGION" key:"phone-region" help:"region (KZ, UA, …) of phone numbers written without +country code; empty: +international form required"`
	CredentialKeyLifetime time.Duration `env:"GATEHOUSE_CREDENTIAL_KEY_LIFETIME" key:"credential-key-lifetime" help:"bank door: how long a credential key is current before the next one"`
	KeySyncInterval       time.Duration `env:"GATEHOUSE_KEY_SYNC_INTERVAL" key:"key-sync-interval" help:"how often each node reloads the signing and credential keys other nodes made"`
	JWKSMaxAge            time.Duration `env:"GATEHOUSE_JWKS_MAX_AGE" key:"jwks-max-age" help:"how long clients may cache the JWKS and public keys (Cache-Control max-age); a new key is published this plus the sync interval before it is used"`
	CashdeskZone          string        `env:"GATEHOUSE_CASHDESK_ZONE" key:"cashdesk-zone" help:"cashdesk door: IANA time zone of the dates it shows"`
	CashdeskTokenTTL      time.Duration `env:"GATEHOUSE_CASHDESK_TOKEN_TTL" key:"cashdesk-token-ttl" help:"cashdesk door: lifetime of the token of /api/v2/authenticate (a shift)"`
	// Abuse resistance (SECURITY.md).
	RateLimitRules          string        `env:"GATEHOUSE_RATE_LIMIT_RULES" key:"rate-limit-rules" help:"per-minute limits overriding the defaults: endpoint=IP/SUBJECT/CLIENT,… (0 = none)" list:"true"`
	CORSOrigins             string        `env:"GATEHOUSE_CORS_ORIGINS" key:"cors-origins" help:"comma list of origins allowed cross-origin requests; empty: none" list:"true"`
	LockoutPairThreshold    int           `env:"GATEHOUSE_LOCKOUT_PAIR_THRESHOLD" key:"lockout-pair-threshold" help:"failed attempts of one login from one IP before backoff; 0 disables"`
	LockoutPairBackoff      time.Duration `env:"GATEHOUSE_LOCKOUT_PAIR_BACKOFF" key:"lockout-pair-backoff" help:"first backoff delay, doubling per further failure"`
	LockoutPairBackoffMax   time.Duration `env:"GATEHOUSE_LOCKOUT_PAIR_BACKOFF_MAX" key:"lockout-pair-backoff-max" help:"longest backoff delay"`
	LockoutAccountThreshold int           `env:"GATEHOUSE_LOCKOUT_ACCOUNT_THRESHOLD" key:"lockout-account-threshold" help:"failed attempts of one login from all IPs per temporary lock; 0 disables"`
	LockoutAccountDuration  time.Duration `env:"GATEHOUSE_LOCKOUT_ACCOUNT_DURATION" key:"lockout-account-duration" help:"first account lock, doubling per lock up to 24h"`
	LockoutWindow           time.Duration `env:"GATEHOUSE_LOCKOUT_WINDOW" key:"lockout-window" help:"failure counters idle this long are forgotten"`
	AuditRetention          time.Duration `env:"GATEHOUSE_AUDIT_RETENTION" key:"audit-retention" help:"audit events older than this are purged"`
	NewDeviceMail           bool          `env:"GATEHOUSE_NEW_DEVICE_MAIL" key:"new-device-mail" help:"mail users on sign-in from a new device"`
	ReauthMaxAge            time.Duration `env:"GATEHOUSE_REAUTH_MAX_AGE" key:"reauth-max-age" help:"how old a sign-in may be to create API keys and external tokens without re-entering the password; 0: always re-enter"`
	RequestTimeout          time.Duration `env:"GATEHOUSE_REQUEST_TIMEOUT" key:"request-timeout" help:"deadline of each request's work (database, hashing)"`
	RedisPrefix             string        `env:"GATEHOUSE_REDIS_PREFIX" key:"redis-prefix" help:"prefix of Gatehouse's Redis keys (deployments sharing a Redis)"`
	// Operations (operations.go).
	ShutdownDelay   time.Duration `env:"GATEHOUSE_SHUTDOWN_DELAY" key:"shutdown-delay" help:"on SIGTERM/SIGINT, keep serving this long (status says stopping) before refusing new connections"`
	ShutdownTimeout time.Duration `env:"GATEHOUSE_SHUTDOWN_TIMEOUT" key:"shutdown-timeout" help:"then let requests in flight finish within this; must exceed GATEHOUSE_REQUEST_TIMEOUT"`
	ManagementAddr  string        `env:"GATEHOUSE_MANAGEMENT_ADDR" key:"management-addr" help:"listen address of /healthz, /readyz and /metrics; empty or off: none" empty:"off"`
	LogLevel        string        `env:"GATEHOUSE_LOG_LEVEL" key:"log-level" help:"debug, info, warn or error"`
	// Password hashing (hashing.go).
	HashMaxWait time.Duration `env:"GATEHOUSE_HASH_MAX_WAIT" key:"hash-max-wait" help:"longest expected wait for a password-hashing worker a sign-in is admitted to; beyond it 503 at once"`
	HashNice    int           `env:"GATEHOUSE_HASH_NICE" key:"hash-nice" help:"1-19: hash passwords in a child process this much nicer than the server; 0: in the server process"`
	// Hosted pages (pages.go).
	BrandName     string `env:"GATEHOUSE_BRAND_NAME" key:"brand-name" help:"the operator's name in the hosted pages' header and titles"`
	BrandLogoURL  string `env:"GATEHOUSE_BRAND_LOGO_URL" key:"brand-logo-url" help:"https URL (or a path on this server) of the logo the hosted pages show; empty: none"`
	BrandLogoFile string `env:"GATEHOUSE_BRAND_LOGO_FILE" key:"brand-logo-file" help:"a PNG, JPEG, SVG or WebP file served as the hosted pages' logo (instead of GATEHOUSE_BRAND_LOGO_URL)"`
}

// Default returns the documented defaults.
func Default() Config {
	return Config{
		Addr:                  "127.0.0.1:8080",
		DatabaseURL:           "sqlite://./gatehouse.db",
		MailFrom:              "Gatehouse <no-reply@localhost>",
		PublicURL:             "http://127.0.0.1:8080",
		LogFormat:             "text",
		Sources:               "license,voting",
		RefreshGrace:          10 * time.Second,
		MailResendInterval:    60 * time.Second,
		CredentialPaddings:    "oaep",
		RateLimits:            "on",
		RequireConfirmed:      true,
		AccessTTL:             15 * time.Minute,
		RefreshTTL:            30 * 24 * time.Hour,
		ConfirmTTL:            24 * time.Hour,
		ResetTTL:              time.Hour,
		PasswordMinLength:     8,
		PasswordMaxLength:     128,
		SigningAlg:            "RS256",
		MaxBodyBytes:          1 << 20,
		BankZone:              "Asia/Almaty",
		OTPAttempts:           5,
		OTPTTL:                5 * time.Minute,
		CredentialKeyLifetime: 24 * time.Hour,
		KeySyncInterval:       5 * time.Second,
		JWKSMaxAge:            5 * time.Minute,
		CashdeskZone:          "Europe/Kyiv",
		CashdeskTokenTTL:      12 * time.Hour,

		LockoutPairThreshold:    5,
		LockoutPairBackoff:      2 * time.Second,
		LockoutPairBackoffMax:   15 * time.Minute,
		LockoutAccountThreshold: 20,
		LockoutAccountDuration:  15 * time.Minute,
		LockoutWindow:           24 * time.Hour,
		AuditRetention:          90 * 24 * time.Hour,
		NewDeviceMail:           true,
		ReauthMaxAge:            5 * time.Minute,
		RequestTimeout:          20 * time.Second,
		RedisPrefix:             "gatehouse:",
		ShutdownDelay:           5 * time.Second,
		ShutdownTimeout:         25 * time.Second,
		ManagementAddr:          "127.0.0.1:8081",
		LogLevel:                "info",
		HashMaxWait:             2 * time.Second,
		HashNice:                3,
		BrandName:               "Gatehouse",
	}
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) { errs = append(errs, fmt.Errorf(name+": "+format, a...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("GATEHOUSE_ADDR", "%v", err)
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("GATEHOUSE_DATABASE_URL", "want sqlite://PATH, sqlite::memory: or postgres://…")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		bad("GATEHOUSE_REDIS_URL", "want redis://… or rediss://…")
	}
	if c.SMTPURL != "" && !strings.HasPrefix(c.SMTPURL, "smtp://") && !strings.HasPrefix(c.SMTPURL, "smtps://") {
		bad("GATEHOUSE_SMTP_URL", "want smtp://… or smtps://…")
	}
	if err := c.validatePublicURL(); err != nil {
		errs = append(errs, err)
	}
	for _, cidr := range c.Proxies() {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			bad("GATEHOUSE_TRUSTED_PROXIES", "%q is not a CIDR", cidr)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("GATEHOUSE_LOG_FORMAT", "want text or json")
	}
	if len(c.SourceList()) == 0 {
		bad("GATEHOUSE_SOURCES", "at least one source is required")
	}
	for _, p := range splitList(strings.ToLower(c.CredentialPaddings)) {
		if p != "oaep" && p != "pkcs1" {
			bad("GATEHOUSE_CREDENTIAL_PADDINGS", "unknown padding %q (want oaep, pkcs1)", p)
		}
	}
	if c.RateLimits != "on" && c.RateLimits != "off" {
		bad("GATEHOUSE_RATE_LIMITS", "want on or off")
	}
	if c.RefreshGrace < 0 || c.MailResendInterval < 0 {
		bad("GATEHOUSE_REFRESH_GRACE/GATEHOUSE_MAIL_RESEND_INTERVAL", "must not be negative")
	}
	for name, d := range map[string]time.Duration{"GATEHOUSE_ACCESS_TTL": c.AccessTTL, "GATEHOUSE_REFRESH_TTL": c.RefreshTTL, "GATEHOUSE_CONFIRM_TTL": c.ConfirmTTL, "GATEHOUSE_RESET_TTL": c.ResetTTL} {
		if d <= 0 {
			bad(name, "must be positive")
		}
	}
	if c.PasswordMinLength < 8 || c.PasswordMaxLength < c.PasswordMinLength || c.PasswordMaxLength > 1024 {
		bad("GATEHOUSE_PASSWORD_MIN_LENGTH/MAX_LENGTH", "want 8 ≤ min ≤ max ≤ 1024")
	}
	if !slices.Contains([]string{"RS256", "RS256-4096", "ES256", "EdDSA"}, c.SigningAlg) {
		bad("GATEHOUSE_SIGNING_ALG", "want RS256, RS256-4096, ES256 or EdDSA")
	}
	if c.MaxBodyBytes < 1024 {
		bad("GATEHOUSE_MAX_BODY_BYTES", "must be at least 1024")
	}
	errs = append(errs, c.validateBank()...)
	errs = append(errs, c.validateKeys()...)
	errs = append(errs, c.validateCashdesk()...)
	errs = append(errs, c.validateSecurity()...)
	errs = append(errs, c.validateOperations()...)
	errs = append(errs, c.validateHashing()...)
	errs = append(errs, c.validatePages()...)
	errs = append(errs, c.validateAdminToken()...)
	return errors.Join(errs...)
}

// SourceList is GATEHOUSE_SOURCES split.
func (c Config) SourceList() []string { return splitList(c.Sources) }

// Proxies is GATEHOUSE_TRUSTED_PROXIES split.
func (c Config) Proxies() []string { return splitList(c.TrustedProxies) }

// Paddings is GATEHOUSE_CREDENTIAL_PADDINGS split and lower-cased.
func (c Config) Paddings() []string { return splitList(strings.ToLower(c.CredentialPaddings)) }

// Issuer is the public URL without a trailing slash (the iss claim).
func (c Config) Issuer() string { return strings.TrimRight(c.PublicURL, "/") }

// SQLitePath returns the file of a sqlite:// URL, ":memory:" for
// sqlite::memory:, and "" for PostgreSQL.
func (c Config) SQLitePath() string {
	if c.DatabaseURL == "sqlite::memory:" {
		return ":memory:"
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		return ""
	}
	return strings.TrimPrefix(c.DatabaseURL, "sqlite://")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
