package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestClass53IsAFaultOfTheServersResources(t *testing.T) {
	for code, want := range map[string]string{
		"53100": "disk_full",
		"53000": "insufficient_resources", "53200": "insufficient_resources",
		"53300": "insufficient_resources", "53400": "insufficient_resources",
		"23505": "", "40001": "", "57014": "",
	} {
		err := fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code})
		if got := fault(err); got != want {
			t.Errorf("SQLSTATE %s: %q, want %q", code, got, want)
		}
	}
	if fault(errors.New("connection refused")) != "" {
		t.Error("a network error is not a fault of the server's resources")
	}
}
