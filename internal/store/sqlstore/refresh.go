package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

const refreshColumns = `hash, session_id, user_id, issued_at, expires_at, used_at, parent_hash, successor_hash, successor_sealed`

// InsertRefreshToken stores t; ErrNotFound when its session does not exist.
func (s *Store) InsertRefreshToken(ctx context.Context, t *identity.RefreshToken) (err error) {
	defer core.Op(&err, "sqlstore.InsertRefreshToken")
	_, err = s.q.ExecContext(ctx, `INSERT INTO refresh_tokens (`+refreshColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.Hash, t.SessionID, t.UserID, micros(t.IssuedAt), micros(t.ExpiresAt), nullMicros(t.UsedAt),
		nullBytes(t.Parent), nullBytes(t.Successor), nullBytes(t.SealedSuccessor))
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

// RefreshTokenByHash reads the token, locking its row for the rest of the
// transaction on PostgreSQL (FOR UPDATE). SQLite needs no row lock: a
// writing transaction holds the database from BEGIN IMMEDIATE on.
func (s *Store) RefreshTokenByHash(ctx context.Context, hash []byte) (t identity.RefreshToken, err error) {
	defer core.Op(&err, "sqlstore.RefreshTokenByHash")
	var row refreshRow
	err = s.q.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM refresh_tokens WHERE hash = $1`+s.d.ForUpdate, hash).Scan(row.dest()...)
	if err != nil {
		return identity.RefreshToken{}, notFound(err)
	}
	return row.token(), nil
}

// RefreshTokenOwners reads the token, its session and its user with roles
// in one statement, locking nothing: the refresh that judges from it
// spends with UseRefreshToken, whose conditional write is the arbiter.
func (s *Store) RefreshTokenOwners(ctx context.Context, hash []byte) (t identity.RefreshToken, se identity.Session, u identity.User, err error) {
	defer core.Op(&err, "sqlstore.RefreshTokenOwners")
	var rt refreshRow
	var sr sessionRow
	var ur userRow
	var roles sql.NullString
	err = s.q.QueryRowContext(ctx, `SELECT `+qualified("t", refreshColumns)+`, `+qualified("s", sessionColumns)+`, `+
		qualified("u", userColumns)+`, `+s.rolesOfRow("u")+`
		FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id
		WHERE t.hash = $1`, hash).Scan(append(append(append(rt.dest(), sr.dest()...), ur.dest()...), &roles)...)
	if err != nil {
		return t, se, u, notFound(err)
	}
	if se, err = sr.session(); err != nil {
		return t, se, u, err
	}
	u = ur.user()
	if u.Roles, err = decodeRoles(roles); err != nil {
		return t, se, u, err
	}
	return rt.token(), se, u, nil
}

// UseRefreshToken spends the token. The conditional UPDATE is the arbiter
// even without the caller's lock: the database lets exactly one statement
// see used_at IS NULL. On PostgreSQL the spend, the parent's wipe, the
// successor and the audit row are one statement of data-modifying WITH
// queries (one round trip, atomic on its own); elsewhere they are a
// transaction of four.
func (s *Store) UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte, audit *identity.AuditEvent) (err error) {
	defer core.Op(&err, "sqlstore.UseRefreshToken")
	if s.d.WritableCTE {
		return s.spendAtOnce(ctx, hash, at, next, sealed, audit)
	}
	return s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		res, err := ts.q.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1, successor_hash = $2, successor_sealed = $3
			WHERE hash = $4 AND used_at IS NULL`, micros(at), next.Hash, nullBytes(sealed), hash)
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		// This token was its parent's successor: that one's retries are over.
		if _, err := ts.q.ExecContext(ctx, `UPDATE refresh_tokens SET successor_sealed = NULL
			WHERE hash = (SELECT parent_hash FROM refresh_tokens WHERE hash = $1) AND successor_sealed IS NOT NULL`, hash); err != nil {
			return err
		}
		n := *next
		n.Parent, n.UsedAt, n.Successor, n.SealedSuccessor = hash, nil, nil, nil
		if err := ts.InsertRefreshToken(ctx, &n); err != nil {
			return err
		}
		if audit == nil {
			return nil
		}
		return ts.InsertAudit(ctx, audit)
	})
}

// spendQuery is UseRefreshToken's four steps as one PostgreSQL statement.
// Every part sees the same snapshot and runs only when spent returned its
// row: a token already used (or unknown) changes nothing and returns no
// row. The parent is another row than the spent one, so no row is updated
// twice. The final part, the audit row or a bare SELECT, says whether the
// spend happened.
const spendQuery = `WITH spent AS (
	UPDATE refresh_tokens SET used_at = $1, successor_hash = $2, successor_sealed = $3
	WHERE hash = $4 AND used_at IS NULL
	RETURNING parent_hash
), parent AS (
	UPDATE refresh_tokens SET successor_sealed = NULL
	WHERE hash = (SELECT parent_hash FROM spent) AND successor_sealed IS NOT NULL
), successor AS (
	INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at, parent_hash)
	SELECT $2::bytea, $5::text, $6::bigint, $7::bigint, $8::bigint, $4::bytea FROM spent
)
`

func (s *Store) spendAtOnce(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte, audit *identity.AuditEvent) error {
	args := []any{micros(at), next.Hash, nullBytes(sealed), hash, next.SessionID, next.UserID, micros(next.IssuedAt), micros(next.ExpiresAt)}
	q := spendQuery + `SELECT 0 FROM spent`
	if audit != nil {
		detail, err := encodeAttrs(audit.Detail)
		if err != nil {
			return err
		}
		q = spendQuery + `INSERT INTO audit_log (at, type, outcome, user_id, actor, subject, ip, user_agent, detail)
	SELECT $9::bigint, $10::text, $11::text, $12::bigint, $13::text, $14::text, $15::text, $16::text, $17::text FROM spent RETURNING id`
		args = append(args, micros(audit.At), audit.Type, audit.Outcome, audit.UserID, audit.Actor, audit.Subject, audit.IP, audit.UserAgent, detail)
	}
	var id int64
	err := s.q.QueryRowContext(ctx, q, args...).Scan(&id)
	switch {
	case err == nil:
	case errors.Is(err, sql.ErrNoRows):
		return core.ErrNotFound
	case s.violation(err) == ForeignKeyViolation: // the session went meanwhile
		return core.ErrNotFound.With(err)
	default:
		return err
	}
	if audit != nil {
		audit.ID = id
	}
	return nil
}

// refreshRow is a row of refreshColumns as scanned.
type refreshRow struct {
	t               identity.RefreshToken
	issued, expires int64
	used            sql.NullInt64
}

// dest is where the columns of refreshColumns go, in order.
func (r *refreshRow) dest() []any {
	t := &r.t
	return []any{&t.Hash, &t.SessionID, &t.UserID, &r.issued, &r.expires, &r.used, &t.Parent, &t.Successor, &t.SealedSuccessor}
}

// token is the scanned token.
func (r *refreshRow) token() identity.RefreshToken {
	t := r.t
	t.IssuedAt, t.ExpiresAt, t.UsedAt = fromMicros(r.issued), fromMicros(r.expires), timePtr(r.used)
	return t
}

// qualified prefixes each of a comma-separated column list with alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// ForgetSuccessors wipes sealed successors whose grace window has passed.
func (s *Store) ForgetSuccessors(ctx context.Context, usedBefore time.Time) (err error) {
	defer core.Op(&err, "sqlstore.ForgetSuccessors")
	_, err = s.q.ExecContext(ctx, `UPDATE refresh_tokens SET successor_sealed = NULL
		WHERE successor_sealed IS NOT NULL AND used_at < $1`, micros(usedBefore))
	return err
}

// nullBytes stores an empty slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
