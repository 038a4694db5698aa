package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// EmailKeyVersion is the migration that adds users.email_key. SQL cannot
// compute the key, so after the SQL files every Migrate fills the keys
// still missing (all of them the first time; later, rows an older node
// inserted during a rolling upgrade) and makes the column unique. Where
// two accounts share a key it stops with a CollisionError instead: the
// accounts are named, nothing is merged, and until an operator renames
// one of them no node starts (SECURITY.md "E-mail identity").
const EmailKeyVersion = "0008_email_key"

// Account names a stored account in a report.
type Account struct {
	ID    int64
	UUID  string
	Email string // the stored spelling
}

func (a Account) String() string {
	// ASCII-quoted: two spellings of one key look alike on a terminal
	// (a precomposed é and e + U+0301), their escapes do not.
	return fmt.Sprintf("#%d %s %s", a.ID, a.UUID, strconv.QuoteToASCII(a.Email))
}

// Collision is a set of stored accounts whose addresses have one key.
type Collision struct {
	Key      string
	Accounts []Account
}

func (c Collision) String() string {
	parts := make([]string, len(c.Accounts))
	for i, a := range c.Accounts {
		parts[i] = a.String()
	}
	return "key " + strconv.QuoteToASCII(c.Key) + ": " + strings.Join(parts, ", ")
}

// CollisionError stops Migrate while stored addresses collide.
type CollisionError struct{ Collisions []Collision }

func (e *CollisionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migrations: %d e-mail address(es) belong to more than one account each; nothing was merged and no node may serve until each account has an address of its own:", len(e.Collisions))
	for _, c := range e.Collisions {
		b.WriteString("\n  " + c.String())
	}
	b.WriteString("\nrename one account of each with `gatehouse user rename ID NEW_ADDRESS` (or delete a duplicate with `gatehouse user delete ID`), then run `gatehouse migrate`; `gatehouse migrate --check` lists them again")
	return b.String()
}

// finishEmailKeys fills the missing keys and makes them unique (see
// EmailKeyVersion). In the normal case it reads only rows without a key
// and the index already exists, so a start pays next to nothing.
func finishEmailKeys(ctx context.Context, conn *sql.Conn) error {
	blocked, err := fillEmailKeys(ctx, conn)
	if err != nil {
		return err
	}
	if len(blocked) == 0 {
		// Not "users_email_key": PostgreSQL gave that name to the index of
		// the email column's UNIQUE constraint.
		_, err := conn.ExecContext(ctx, `CREATE UNIQUE INDEX IF NOT EXISTS users_by_email_key ON users (email_key)`)
		if err == nil {
			return nil
		}
		// Duplicate keys stored without the index (a fill before it
		// existed): report them below; anything else is the error.
		cs, cerr := storedCollisions(ctx, conn, nil)
		if cerr != nil || len(cs) == 0 {
			return fmt.Errorf("migrations: make email_key unique: %w", err)
		}
		return &CollisionError{cs}
	}
	cs, err := storedCollisions(ctx, conn, blocked)
	if err != nil {
		return err
	}
	return &CollisionError{cs}
}

// fillEmailKeys computes the key of every row that has none, in batches
// of one transaction each, and returns the rows whose key another row
// holds already (left without one).
func fillEmailKeys(ctx context.Context, conn *sql.Conn) (blocked map[int64]string, err error) {
	blocked = map[int64]string{}
	for last := int64(0); ; {
		batch, err := readAccounts(ctx, conn, `SELECT id, uuid, email FROM users
			WHERE email_key IS NULL AND id > $1 ORDER BY id LIMIT 500`, last)
		if err != nil || len(batch) == 0 {
			return blocked, err
		}
		last = batch[len(batch)-1].ID
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("migrations: fill email_key: %w", err)
		}
		for _, a := range batch {
			key := identity.LookupKey(a.Email)
			res, err := tx.ExecContext(ctx, `UPDATE users SET email_key = $1 WHERE id = $2
				AND NOT EXISTS (SELECT 1 FROM users WHERE email_key = $1)`, key, a.ID)
			var n int64
			if err == nil {
				n, err = res.RowsAffected()
			}
			if err != nil {
				_ = tx.Rollback()
				return nil, fmt.Errorf("migrations: fill email_key of user %d: %w", a.ID, err)
			}
			if n == 0 {
				blocked[a.ID] = key
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("migrations: fill email_key: %w", err)
		}
	}
}

// storedCollisions groups the accounts sharing a stored key, plus each
// blocked row (id → its key) with the accounts holding that key.
func storedCollisions(ctx context.Context, conn *sql.Conn, blocked map[int64]string) ([]Collision, error) {
	dup, err := readAccounts(ctx, conn, `SELECT id, uuid, email FROM users WHERE email_key IN
		(SELECT email_key FROM users WHERE email_key IS NOT NULL GROUP BY email_key HAVING COUNT(*) > 1)`)
	if err != nil {
		return nil, err
	}
	for id, key := range blocked {
		holders, err := readAccounts(ctx, conn, `SELECT id, uuid, email FROM users WHERE id = $1 OR email_key = $2`, id, key)
		if err != nil {
			return nil, err
		}
		dup = append(dup, holders...)
	}
	return groupByKey(dup), nil
}

// groupByKey returns the groups of two or more accounts with one key (of
// their stored spelling), each sorted by id, groups by their first id.
func groupByKey(accounts []Account) []Collision {
	byKey := map[string][]Account{}
	for _, a := range accounts {
		k := identity.LookupKey(a.Email)
		if !slices.ContainsFunc(byKey[k], func(b Account) bool { return b.ID == a.ID }) {
			byKey[k] = append(byKey[k], a)
		}
	}
	var out []Collision
	for k, as := range byKey {
		if len(as) > 1 {
			slices.SortFunc(as, func(a, b Account) int { return int(a.ID - b.ID) })
			out = append(out, Collision{Key: k, Accounts: as})
		}
	}
	slices.SortFunc(out, func(a, b Collision) int { return int(a.Accounts[0].ID - b.Accounts[0].ID) })
	return out
}

// CheckEmailKeys computes every stored address's key afresh in Go and
// reports the accounts whose keys collide, and the accounts whose stored
// address the key's rules refuse (they keep signing in under their old,
// lower-cased key). It reads only columns of the first schema version, so
// it works before and after EmailKeyVersion (`gatehouse migrate --check`).
func CheckEmailKeys(ctx context.Context, db *sql.DB) (collisions []Collision, refused []Account, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrations: connect: %w", err)
	}
	defer conn.Close()
	first := map[string]Account{} // one account per key seen; a second makes a collision
	var dup []Account
	for last := int64(0); ; {
		batch, err := readAccounts(ctx, conn, `SELECT id, uuid, email FROM users WHERE id > $1 ORDER BY id LIMIT 5000`, last)
		if err != nil {
			return nil, nil, err
		}
		if len(batch) == 0 {
			return groupByKey(dup), refused, nil
		}
		last = batch[len(batch)-1].ID
		for _, a := range batch {
			if _, kerr := identity.EmailKey(a.Email); kerr != nil {
				refused = append(refused, a)
			}
			k := identity.LookupKey(a.Email)
			if f, seen := first[k]; seen {
				dup = append(dup, f, a)
				continue
			}
			first[k] = a
		}
	}
}

func readAccounts(ctx context.Context, conn *sql.Conn, q string, args ...any) ([]Account, error) {
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("migrations: read users: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.UUID, &a.Email); err != nil {
			return nil, fmt.Errorf("migrations: read users: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
