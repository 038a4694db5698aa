package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/server"
)

// start builds a server on the database at dbURL, as `gatehouse serve`
// would, and returns it with what it wrote to stderr.
func start(t *testing.T, dbURL string) (*server.Server, string) {
	t.Helper()
	cfg := config.Default()
	cfg.DatabaseURL = dbURL
	cfg.RateLimits = "off"
	hasher, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	srv, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Options{Options: app.Options{Hasher: hasher, KeyGen: keystest.Generator(), Stderr: &stderr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, stderr.String()
}

func adminStatus(srv *server.Server, token string) int {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/admin/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code
}

var printedToken = regexp.MustCompile(`(?m)^([A-Za-z0-9_-]{43})$`)

func TestTheGeneratedAdminTokenIsShownOnceAndOutlivesARestart(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "g.db")
	first, out := start(t, db)
	m := printedToken.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("first start printed no admin token:\n%s", out)
	}
	token := m[1]
	if got := adminStatus(first, token); got != http.StatusOK {
		t.Fatalf("generated token: %d", got)
	}
	first.Close()

	second, out := start(t, db)
	if printedToken.MatchString(out) {
		t.Fatalf("the second start printed a token again:\n%s", out)
	}
	if got := adminStatus(second, token); got != http.StatusOK {
		t.Fatalf("the first start's token after a restart: %d", got)
	}
	if got := adminStatus(second, core.NewSecret()); got != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d", got)
	}
}

func TestNoTokenIsGeneratedWhenAnAdminUserExists(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "g.db")
	cfg := config.Default()
	cfg.DatabaseURL = db
	hasher, _ := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	ops, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.Options{Hasher: hasher, KeyGen: keystest.Generator(), Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ops.Identity.AdminCreateUser(context.Background(), identity.Registration{Email: "root@example.com", Password: "long enough"}, true, []string{"admin"}); err != nil {
		t.Fatal(err)
	}
	ops.Close()
	_, out := start(t, db)
	if printedToken.MatchString(out) {
		t.Fatalf("a token was generated although an admin exists:\n%s", out)
	}
}
