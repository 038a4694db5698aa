package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

// failing is a querier whose every statement fails with err.
type failing struct{ err error }

func (f failing) ExecContext(context.Context, string, ...any) (sql.Result, error) { return nil, f.err }
func (f failing) QueryContext(context.Context, string, ...any) (*sql.Rows, error) { return nil, f.err }
func (f failing) QueryRowContext(context.Context, string, ...any) *sql.Row        { return nil }

type retrySafe struct{}

func (retrySafe) Error() string     { return "connection closed before the query was sent" }
func (retrySafe) SafeToRetry() bool { return true }

func TestALostConnectionIsTheCoresUnavailableNotADriverError(t *testing.T) {
	lost := []error{
		driver.ErrBadConn, sql.ErrConnDone, syscall.ECONNREFUSED, syscall.ECONNRESET,
		fmt.Errorf("dial: %w", syscall.ECONNREFUSED), retrySafe{},
	}
	for _, cause := range lost {
		q := watched{querier: failing{cause}, watch: &watchState{}}
		_, err := q.ExecContext(context.Background(), "UPDATE users SET name = ''")
		if !errors.Is(err, core.ErrUnavailable) || !errors.Is(err, cause) {
			t.Errorf("%v: got %v, want core.ErrUnavailable wrapping it", cause, err)
		}
	}
	// A mistake of the code stays what it is: a 500 with its cause logged.
	q := watched{querier: failing{errors.New("syntax error")}, watch: &watchState{}}
	if _, err := q.ExecContext(context.Background(), "UPDATE"); core.KindOf(err) != core.KindInternal {
		t.Fatalf("a syntax error became %v", err)
	}
}
