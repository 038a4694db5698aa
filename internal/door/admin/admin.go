// Package admin is the operator's API (/admin/v1): accounts, roles, keys and
// sessions. It is authorized by GATEHOUSE_ADMIN_TOKEN or by the access token
// of a user holding the "admin" role.
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// Role is the role that makes a user an administrator.
const Role = "admin"

// Door serves /admin/v1.
type Door struct {
	Identity *identity.Service
	Factors  *identity.Factors // a user's authenticator, removed when lost
	Cashdesk *cashdesk.Service // cash registers and developers
	Bank     *bank.Service     // clients, customers, roles, memberships, bank profiles
	// TokenHash is the SHA-256 of the admin bearer token; nil disables
	// token access (admin users still work). Only the hash is held, so the
	// token itself is in no process memory or database after start.
	TokenHash []byte
	// RotateKeys makes a new signing key: published at once, signing after
	// the publication lead, or at once with immediate (keys.Ring.Rotate),
	// and audits it (the admin console calls the same function).
	RotateKeys func(ctx context.Context, immediate bool) (RotatedKey, error)
	JSON       httpjson.Adapter
	// Failures limits wrong credentials per client IP (app.AdminFailures);
	// nil limits nothing.
	Failures Failures
}

// Failures is the limit on wrong credentials: Blocked refuses a client
// over it before its credential is compared, Failed counts one and
// refuses past it. Both answer a RateLimited error or nil.
type Failures interface {
	Blocked(ctx context.Context) error
	Failed(ctx context.Context) error
}

// Mount registers the routes.
func (d *Door) Mount(mux *http.ServeMux) {
	h := func(fn httpjson.Handler) http.Handler { return d.JSON.H(d.authorize(fn)) }
	mux.Handle("POST /admin/v1/users", h(d.createUser))
	mux.Handle("GET /admin/v1/users", h(d.listUsers))
	mux.Handle("GET /admin/v1/users/{ref}", h(d.showUser))
	mux.Handle("DELETE /admin/v1/users/{ref}", h(d.deleteUser))
	mux.Handle("POST /admin/v1/users/{ref}/lock", h(d.lock(true)))
	mux.Handle("POST /admin/v1/users/{ref}/unlock", h(d.lock(false)))
	mux.Handle("PUT /admin/v1/users/{ref}/roles", h(d.setRoles))
	mux.Handle("DELETE /admin/v1/users/{ref}/totp", h(d.removeTOTP))
	mux.Handle("GET /admin/v1/users/{ref}/sessions", h(d.sessions))
	mux.Handle("DELETE /admin/v1/sessions/{id}", h(d.revokeSession))
	mux.Handle("POST /admin/v1/keys/rotate", h(d.rotate))
	d.mountCashdesk(mux, h)
	mux.Handle("GET /admin/v1/audit", h(d.audit)) // audit.go
}

// authorize admits the admin token (compared in constant time), or a full
// first-party access token or API key (with the admin scope, if scoped) of
// a user with the admin role.
func (d *Door) authorize(next httpjson.Handler) httpjson.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		tok := httpjson.Credential(r)
		if tok == "" {
			return core.ErrUnauthenticated
		}
		if d.Failures != nil {
			if err := d.Failures.Blocked(r.Context()); err != nil {
				return err // before the compare: a blocked IP's guesses tell nothing
			}
		}
		if h := sha256.Sum256([]byte(tok)); d.TokenHash != nil && subtle.ConstantTimeCompare(h[:], d.TokenHash) == 1 {
			return next(w, r.WithContext(core.WithActor(r.Context(), "admin:token")))
		}
		p, err := d.Identity.VerifyBearer(r.Context(), tok, identity.VerifyOptions{})
		if err != nil {
			return d.refuse(r.Context(), err) // a token for another audience too: 401 invalid_token
		}
		if !slices.Contains(p.User.Roles, Role) || !p.Allows("admin") {
			return core.ErrForbidden
		}
		return next(w, r.WithContext(core.WithActor(r.Context(), "admin:"+strconv.FormatInt(p.User.ID, 10))))
	}
}

// AuditAuthFailed is the audit type of a wrong credential at the admin
// API (a guessed admin token): outcome failed for a 401, refused when the
// count itself crossed the rate limit (concurrent guesses). Requests
// refused before their credential was compared (the IP over its limit)
// write no row: a flood would otherwise cost a write each; the rate-limit
// metric counts them.
const AuditAuthFailed = "admin.auth_failed"

// refuse answers a wrong credential: its audit row, its count against the
// limit, and err, or the rate limit's refusal past it.
func (d *Door) refuse(ctx context.Context, err error) error {
	e := identity.AuditEvent{Type: AuditAuthFailed, Outcome: identity.AuditFailed}
	if d.Failures != nil {
		if lerr := d.Failures.Failed(ctx); lerr != nil {
			err, e.Outcome = lerr, identity.AuditRefused
		}
	}
	_ = d.Identity.Record(ctx, e) // the refusal stands whether or not its row is written
	return err
}

// User is the admin view of an account.
type User struct {
	ID             int64    `json:"id"`
	UUID           string   `json:"uuid"`
	Email          string   `json:"email"`
	Name           string   `json:"name"`
	Locale         string   `json:"locale"`
	Source         string   `json:"source"`
	Roles          []string `json:"roles"`
	EmailConfirmed bool     `json:"email_confirmed"`
	Locked         bool     `json:"locked"`
	CreatedAt      string   `json:"created_at"`
	LastSeenAt     *string  `json:"last_seen_at"`
}

// View converts a core user for the wire (shared with the CLI's JSON output).
func View(u identity.User) User {
	v := User{
		ID: u.ID, UUID: u.UUID, Email: u.Email, Name: u.Name, Locale: u.Locale, Source: u.Source,
		Roles: u.Roles, EmailConfirmed: u.Confirmed(), Locked: u.Locked(), CreatedAt: u.CreatedAt.Format(time.RFC3339),
	}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	if u.LastSeenAt != nil {
		s := u.LastSeenAt.Format(time.RFC3339)
		v.LastSeenAt = &s
	}
	return v
}

type createRequest struct {
	Email     string   `json:"email"`
	Password  string   `json:"password" text:"secret"`
	Name      string   `json:"name"`
	Locale    string   `json:"locale"`
	Source    string   `json:"source"`
	Roles     []string `json:"roles"`
	Confirmed bool     `json:"email_confirmed"`
}

func (d *Door) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createRequest
	if err := httpjson.Decode(r, &req); err != nil {
		return err
	}
	u, err := d.Identity.AdminCreateUser(r.Context(), identity.Registration{
		Email: req.Email, Password: req.Password, Name: req.Name, Locale: req.Locale, Source: req.Source,
	}, req.Confirmed, req.Roles)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, View(u))
	return nil
}

type userList struct {
	Users  []User `json:"users"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
}

func (d *Door) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := identity.UserFilter{Search: q.Get("q")}
	var err error
	if f.Limit, f.Offset, err = paging(q); err != nil {
		return err
	}
	users, total, err := d.Identity.ListUsers(r.Context(), f)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, userList{Users: Views(users, View), Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

func intParam(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, core.Invalid("invalid_paging", "limit", "limit and offset must be whole numbers ≥ 0")
	}
	return n, nil
}
