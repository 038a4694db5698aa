package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

const userColumns = `id, uuid, email, email_confirmed_at, password_hash, name, locale, source,
	locked_at, created_at, updated_at, last_seen_at`

// CreateUser inserts u, filling ID and UUID when empty; ErrLoginTaken when
// an account has the e-mail's key (identity.LookupKey, computed here so that
// uniqueness holds whatever a caller passes). Roles are stored too.
func (s *Store) CreateUser(ctx context.Context, u *identity.User) (err error) {
	defer core.Op(&err, "sqlstore.CreateUser")
	if u.UUID == "" {
		u.UUID = uuid.NewString()
	}
	u.Email = strings.TrimSpace(u.Email)
	u.Roles = normRoles(u.Roles)
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		cols := `uuid, email, email_key, email_confirmed_at, password_hash, name, name_folded, locale, source,
			locked_at, created_at, updated_at, last_seen_at`
		vals := `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13`
		args := []any{u.UUID, u.Email, identity.LookupKey(u.Email), nullMicros(u.EmailConfirmed), u.PasswordHash, u.Name,
			strings.ToLower(u.Name), u.Locale, u.Source, nullMicros(u.LockedAt),
			micros(u.CreatedAt), micros(u.UpdatedAt), nullMicros(u.LastSeenAt)}
		explicitID := u.ID != 0 // an imported account keeps its number
		if explicitID {
			cols, vals, args = cols+", id", vals+", $14", append(args, u.ID)
		}
		q := `INSERT INTO users (` + cols + `) VALUES (` + vals + `) RETURNING id`
		if err := ts.q.QueryRowContext(ctx, q, args...).Scan(&u.ID); err != nil {
			if ts.violation(err) == UniqueViolation {
				return core.ErrLoginTaken.With(err)
			}
			return err
		}
		if explicitID && ts.d.SyncUserIDs != "" {
			if _, err := ts.q.ExecContext(ctx, ts.d.SyncUserIDs); err != nil {
				return fmt.Errorf("sync user ids: %w", err)
			}
		}
		return ts.writeRoles(ctx, u.ID, u.Roles, false)
	})
}

// writeRoles stores roles as the user's whole set; replace first deletes
// what was there.
func (s *Store) writeRoles(ctx context.Context, id int64, roles []string, replace bool) error {
	if replace {
		if _, err := s.q.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("clear roles: %w", err)
		}
	}
	for _, r := range normRoles(roles) {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, id, r); err != nil {
			return fmt.Errorf("add role %q: %w", r, err)
		}
	}
	return nil
}

// normRoles sorts and de-duplicates roles, as they come back from the
// store; no roles is nil.
func normRoles(roles []string) []string {
	if len(roles) == 0 {
		return nil
	}
	return slices.Compact(slices.Sorted(slices.Values(roles)))
}

// UserByID returns the user with this numeric id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (u identity.User, err error) {
	defer core.Op(&err, "sqlstore.UserByID")
	return s.userWhere(ctx, `id = $1`, id)
}

// UserByUUID returns the user with this UUID, or ErrNotFound.
func (s *Store) UserByUUID(ctx context.Context, id string) (u identity.User, err error) {
	defer core.Op(&err, "sqlstore.UserByUUID")
	return s.userWhere(ctx, `uuid = $1`, id)
}

// UserByEmail returns the user whose address has the key of email
// (identity.LookupKey), or ErrNotFound. A row an older node inserted without a
// key (a rolling upgrade; the next Migrate fills it) is found by its old
// lower-cased form. When two rows match — only before Migrate has made the
// key unique — the one stored in exactly this spelling wins, otherwise
// ErrEmailAmbiguous: an operator must name the account by id.
func (s *Store) UserByEmail(ctx context.Context, email string) (u identity.User, err error) {
	defer core.Op(&err, "sqlstore.UserByEmail")
	typed := strings.TrimSpace(email)
	rows, err := s.q.QueryContext(ctx, `SELECT `+userColumns+`, `+s.rolesOfRow("users")+` FROM users
		WHERE email_key = $1 OR (email_key IS NULL AND email = $2)
		ORDER BY CASE WHEN email = $3 THEN 0 ELSE 1 END, id LIMIT 2`,
		identity.LookupKey(typed), strings.ToLower(typed), typed)
	if err != nil {
		return identity.User{}, err
	}
	var found []identity.User
	for rows.Next() {
		u, err := scanUserWithRoles(rows)
		if err != nil {
			rows.Close()
			return identity.User{}, err
		}
		found = append(found, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return identity.User{}, err
	}
	switch {
	case len(found) == 0:
		return identity.User{}, core.ErrNotFound
	case len(found) > 1 && found[0].Email != typed:
		return identity.User{}, core.ErrEmailAmbiguous
	}
	return found[0], nil
}

// userWhere reads one user and its roles in one statement; where may end
// in the dialect's row lock.
func (s *Store) userWhere(ctx context.Context, where string, arg any) (identity.User, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+userColumns+`, `+s.rolesOfRow("users")+` FROM users WHERE `+where, arg)
	u, err := scanUserWithRoles(row)
	if err != nil {
		return identity.User{}, notFound(err)
	}
	return u, nil
}

// rolesOfRow is a column of the roles of the user row named table, as one
// JSON array (NULL or [] when it has none): every read of a user by id,
// UUID or address, the hot paths among them (a sign-in, every
// authenticated request), costs one statement instead of two.
func (s *Store) rolesOfRow(table string) string {
	return `(SELECT ` + s.d.JSONAgg + `(role) FROM user_roles WHERE user_id = ` + table + `.id)`
}

// scanUserWithRoles scans userColumns followed by rolesOfRow.
func scanUserWithRoles(r scanner) (identity.User, error) {
	var row userRow
	var roles sql.NullString
	if err := r.Scan(append(row.dest(), &roles)...); err != nil {
		return identity.User{}, err
	}
	u := row.user()
	var err error
	u.Roles, err = decodeRoles(roles)
	return u, err
}

// decodeRoles reads a rolesOfRow value: sorted, nil when none.
func decodeRoles(v sql.NullString) ([]string, error) {
	if !v.Valid {
		return nil, nil
	}
	var roles []string
	if err := json.Unmarshal([]byte(v.String), &roles); err != nil {
		return nil, fmt.Errorf("decode roles: %w", err)
	}
	return normRoles(roles), nil
}

type scanner interface{ Scan(dest ...any) error }

// rowsQuerier is what collect needs of a store's querier (watched or a
// plain one).
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// collect runs query through q and scans every row of its answer with scan.
func collect[T any](ctx context.Context, q rowsQuerier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	return list, rows.Err()
}

func scanUser(r scanner) (identity.User, error) {
	var row userRow
	if err := r.Scan(row.dest()...); err != nil {
		return identity.User{}, err
	}
	return row.user(), nil
}

// userRow is a row of userColumns as scanned, for queries that read a user
// beside other columns.
type userRow struct {
	u                       identity.User
	confirmed, locked, seen sql.NullInt64
	created, updated        int64
}

// dest is where the columns of userColumns go, in order.
func (r *userRow) dest() []any {
	u := &r.u
	return []any{&u.ID, &u.UUID, &u.Email, &r.confirmed, &u.PasswordHash, &u.Name, &u.Locale,
		&u.Source, &r.locked, &r.created, &r.updated, &r.seen}
}

// user is the scanned user, without roles.
func (r *userRow) user() identity.User {
	u := r.u
	u.EmailConfirmed, u.LockedAt, u.LastSeenAt = timePtr(r.confirmed), timePtr(r.locked), timePtr(r.seen)
	u.CreatedAt, u.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	return u
}

// rolesOf returns the sorted roles of each of ids.
func (s *Store) rolesOf(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := s.q.QueryContext(ctx, `SELECT user_id, role FROM user_roles WHERE user_id IN (`+
		strings.Join(marks, ", ")+`) ORDER BY user_id, role`, args...)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return nil, fmt.Errorf("read roles: %w", err)
		}
		out[id] = append(out[id], role)
	}
	return out, rows.Err()
}

// UpdateUser reads the user under a lock, applies fn and writes every field
// and the roles back in one transaction. The id cannot change.
func (s *Store) UpdateUser(ctx context.Context, id int64, fn func(*identity.User) error) (u identity.User, err error) {
	defer core.Op(&err, "sqlstore.UpdateUser")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		cur, err := ts.userWhere(ctx, `id = $1`+ts.d.ForUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(&cur); err != nil {
			return err
		}
		cur.ID = id
		cur.Email = strings.TrimSpace(cur.Email)
		_, err = ts.q.ExecContext(ctx, `UPDATE users SET uuid = $1, email = $2, email_confirmed_at = $3,
			password_hash = $4, name = $5, name_folded = $6, locale = $7, source = $8, locked_at = $9,
			created_at = $10, updated_at = $11, last_seen_at = $12, email_key = $14 WHERE id = $13`,
			cur.UUID, cur.Email, nullMicros(cur.EmailConfirmed), cur.PasswordHash, cur.Name,
			strings.ToLower(cur.Name), cur.Locale, cur.Source, nullMicros(cur.LockedAt),
			micros(cur.CreatedAt), micros(cur.UpdatedAt), nullMicros(cur.LastSeenAt), id, identity.LookupKey(cur.Email))
		if err != nil {
			if ts.violation(err) == UniqueViolation {
				return core.ErrLoginTaken.With(err)
			}
			return err
		}
		if err := ts.writeRoles(ctx, id, cur.Roles, true); err != nil {
			return err
		}
		u = cur
		u.Roles = normRoles(cur.Roles)
		return nil
	})
	if err != nil {
		return identity.User{}, err
	}
	return u, nil
}

// DeleteUser removes the user; foreign keys cascade to everything it owns.
func (s *Store) DeleteUser(ctx context.Context, id int64) (err error) {
	defer core.Op(&err, "sqlstore.DeleteUser")
	res, err := s.q.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// TouchUser sets LastSeenAt only.
func (s *Store) TouchUser(ctx context.Context, id int64, at time.Time) (err error) {
	defer core.Op(&err, "sqlstore.TouchUser")
	res, err := s.q.ExecContext(ctx, `UPDATE users SET last_seen_at = $1 WHERE id = $2`, micros(at), id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// likeEscaper makes a search term literal inside LIKE … ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListUsers returns a page ordered by id and the number of users matching
// f.Search (a case-insensitive substring of e-mail or name). Limit <= 0
// means no limit.
func (s *Store) ListUsers(ctx context.Context, f identity.UserFilter) (users []identity.User, total int, err error) {
	defer core.Op(&err, "sqlstore.ListUsers")
	where, args := "", []any{}
	if f.Search != "" {
		// The key (lower case, NFC) finds every spelling; the stored
		// spelling finds a Unicode domain as typed.
		where = ` WHERE email_key LIKE $1 ESCAPE '\' OR email LIKE $1 ESCAPE '\' OR name_folded LIKE $1 ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(strings.ToLower(norm.NFC.String(f.Search)))+"%")
	}
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = math.MaxInt32
	}
	n := len(args)
	q := fmt.Sprintf(`SELECT %s FROM users%s ORDER BY id LIMIT $%d OFFSET $%d`, userColumns, where, n+1, n+2)
	rows, err := s.q.QueryContext(ctx, q, append(args, limit, int64(max(f.Offset, 0)))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users, ids = append(users, u), append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	roles, err := s.rolesOf(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range users {
		users[i].Roles = roles[users[i].ID]
	}
	return users, total, nil
}
