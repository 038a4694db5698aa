package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
)

// textGuard refuses, with core.ErrInvalidText, a statement whose string
// argument is not valid UTF-8 or holds a NUL, before the database sees
// it. PostgreSQL refuses such text with an error the core could only
// report as a 500, while SQLite stores it; with the guard both backends
// answer alike, typed. The core keeps such text away in the first place
// (core/text.go): this is the defence behind it.
type textGuard struct{ querier }

func (g textGuard) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if badText(args) >= 0 {
		return nil, core.ErrInvalidText
	}
	return g.querier.ExecContext(ctx, q, args...)
}

func (g textGuard) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if badText(args) >= 0 {
		return nil, core.ErrInvalidText
	}
	return g.querier.QueryContext(ctx, q, args...)
}

// QueryRowContext cannot return an error itself (a *sql.Row carries it
// to Scan): the bad argument is swapped for a value whose conversion
// fails with ErrInvalidText, which database/sql and pgx both report
// before anything is sent.
func (g textGuard) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if i := badText(args); i >= 0 {
		args = append([]any(nil), args...)
		args[i] = refusedText{}
	}
	return g.querier.QueryRowContext(ctx, q, args...)
}

// badText is the index of the first string argument PostgreSQL would
// refuse, or -1.
func badText(args []any) int {
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case *string:
			if v == nil {
				continue
			}
			s = *v
		default:
			continue
		}
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return i
		}
	}
	return -1
}

// refusedText stands in for an argument the guard refused.
type refusedText struct{}

func (refusedText) Value() (driver.Value, error) { return nil, core.ErrInvalidText }
