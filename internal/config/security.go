package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Limit is one endpoint's request limits per minute: per client IP, per
// subject (the login or address tried) and per OAuth client. 0 means none.
type Limit struct{ PerIP, PerSubject, PerClient int }

// DefaultLimits are the per-minute request limits of the public endpoints
// of every door (SECURITY.md "Rate limits"); "default" covers endpoints a
// door names that are not listed.
func DefaultLimits() map[core.Endpoint]Limit {
	return map[core.Endpoint]Limit{
		"register": {PerIP: 20, PerSubject: 5, PerClient: 200},
		"login":    {PerIP: 60, PerSubject: 10, PerClient: 600},
		"resend":   {PerIP: 20, PerSubject: 5, PerClient: 200},
		"restore":  {PerIP: 20, PerSubject: 5, PerClient: 200},
		"reset":    {PerIP: 20, PerClient: 200},
		"confirm":  {PerIP: 30, PerClient: 300},
		"exists":   {PerIP: 30, PerSubject: 10, PerClient: 300},
		"otp":      {PerIP: 30, PerSubject: 10, PerClient: 300},
		"refresh":  {PerIP: 120, PerClient: 1200},
		// Requests that carry an Idempotency-Key, counted before the key
		// is looked up (database writes ahead of the endpoint's own limits).
		"idempotency": {PerIP: 60, PerClient: 600},
		// The bank door, one row per grant of /auth/oauth/token and per
		// endpoint. Step 1 counts per IP and client before the RSA
		// decryption (CPU a flood must not get), then per decrypted
		// username ("bank_user"). Later steps and code sending count per
		// user of the step token and per the token's client.
		"bank_login":    {PerIP: 60, PerClient: 600},
		"bank_user":     {PerSubject: 10},
		"bank_customer": {PerIP: 60, PerSubject: 20, PerClient: 600},
		"bank_factor":   {PerIP: 30, PerSubject: 10, PerClient: 300},
		"bank_otp":      {PerIP: 20, PerSubject: 10, PerClient: 200},
		"bank_refresh":  {PerIP: 120, PerClient: 1200},
		"bank_revoke":   {PerIP: 60, PerClient: 600},
		// User codes typed on the device page (RFC 8628 §5.1), per IP and
		// per signed-in account.
		"user_code": {PerIP: 20, PerSubject: 10},
		// Wrong credentials at the admin API, per IP (app.AdminFailures).
		"admin":   {PerIP: 20},
		"default": {PerIP: 60, PerSubject: 20, PerClient: 600},
	}
}

// Limits returns DefaultLimits with GATEHOUSE_RATE_LIMIT_RULES applied. A
// rule for an endpoint that does not exist is refused: a misspelt name
// would otherwise leave the real endpoint at its default, silently.
func (c Config) Limits() (map[core.Endpoint]Limit, error) {
	out := DefaultLimits()
	for _, rule := range splitList(c.RateLimitRules) {
		spelt, spec, ok := strings.Cut(rule, "=")
		name := core.Endpoint(strings.TrimSpace(spelt))
		if !ok || name == "" {
			return nil, fmt.Errorf("rule %q: want endpoint=IP/SUBJECT/CLIENT", rule)
		}
		if !slices.Contains(core.Endpoints(), name) {
			return nil, fmt.Errorf("rule %q: no endpoint %q (endpoints: %s)", rule, name, endpointList())
		}
		parts := strings.Split(spec, "/")
		if len(parts) > 3 {
			return nil, fmt.Errorf("rule %q: at most three numbers", rule)
		}
		var n [3]int
		for i, p := range parts {
			v, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || v < 0 || v > 1_000_000 {
				return nil, fmt.Errorf("rule %q: %q is not a count 0–1000000", rule, p)
			}
			n[i] = v
		}
		out[name] = Limit{PerIP: n[0], PerSubject: n[1], PerClient: n[2]}
	}
	return out, nil
}

// Origins is GATEHOUSE_CORS_ORIGINS split.
func (c Config) Origins() []string { return splitList(c.CORSOrigins) }

func (c Config) validateSecurity() []error {
	var errs []error
	bad := func(name, format string, a ...any) { errs = append(errs, fmt.Errorf(name+": "+format, a...)) }
	if _, err := c.Limits(); err != nil {
		bad("GATEHOUSE_RATE_LIMIT_RULES", "%v", err)
	}
	for _, o := range c.Origins() {
		u, err := url.Parse(o)
		if o == "*" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("GATEHOUSE_CORS_ORIGINS", "%q is not an origin such as https://app.example.com (no wildcard)", o)
		}
	}
	if c.ReauthMaxAge < 0 {
		bad("GATEHOUSE_REAUTH_MAX_AGE", "must not be negative (0: always re-enter the password)")
	}
	if c.LockoutPairThreshold < 0 || c.LockoutAccountThreshold < 0 {
		bad("GATEHOUSE_LOCKOUT_*_THRESHOLD", "must not be negative")
	}
	for name, d := range map[string]time.Duration{
		"GATEHOUSE_LOCKOUT_PAIR_BACKOFF": c.LockoutPairBackoff, "GATEHOUSE_LOCKOUT_PAIR_BACKOFF_MAX": c.LockoutPairBackoffMax,
		"GATEHOUSE_LOCKOUT_ACCOUNT_DURATION": c.LockoutAccountDuration, "GATEHOUSE_LOCKOUT_WINDOW": c.LockoutWindow,
		"GATEHOUSE_AUDIT_RETENTION": c.AuditRetention, "GATEHOUSE_REQUEST_TIMEOUT": c.RequestTimeout,
	} {
		if d <= 0 {
			bad(name, "must be positive")
		}
	}
	return errs
}

func endpointList() string {
	names := make([]string, 0, len(core.Endpoints()))
	for _, e := range core.Endpoints() {
		names = append(names, string(e))
	}
	return strings.Join(names, ", ")
}
