package sqlstore

import (
	"context"
	"database/sql"
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
	var issued, expires int64
	var used sql.NullInt64
	err = s.q.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM refresh_tokens WHERE hash = $1`+s.d.ForUpdate, hash).
		Scan(&t.Hash, &t.SessionID, &t.UserID, &issued, &expires, &used, &t.Parent, &t.Successor, &t.SealedSuccessor)
	if err != nil {
		return identity.RefreshToken{}, notFound(err)
	}
	t.IssuedAt, t.ExpiresAt, t.UsedAt = fromMicros(issued), fromMicros(expires), timePtr(used)
	return t, nil
}

// UseRefreshToken spends the token. The conditional UPDATE is the arbiter
// even without the caller's lock: the database lets exactly one statement
// see used_at IS NULL.
func (s *Store) UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *identity.RefreshToken, sealed []byte) (err error) {
	defer core.Op(&err, "sqlstore.UseRefreshToken")
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
		return ts.InsertRefreshToken(ctx, &n)
	})
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
