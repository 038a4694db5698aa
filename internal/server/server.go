// Package server is Gatehouse's HTTP surface: it mounts every door on one
// mux over the services an app.App wires, wraps them in the common
// middleware, and runs the HTTP server and the app's background jobs. It
// holds no store: every endpoint is a call of a door into a domain.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/door/oidc"
	"github.com/gatehouse/gatehouse/internal/metrics"
)

// Options are the app's (the seams tests use, and serve's memory limit)
// and the version stamp /status reports.
type Options struct {
	app.Options
	Version string
	Commit  string
	// Browser tells the standard door who is signed in in a browser; nil:
	// the hosted pages' web session (pagesBrowser). Tests may sign in
	// through a core session of their own.
	Browser oidc.Browser
}

// Server is a wired Gatehouse with its HTTP surface.
type Server struct {
	*app.App

	// Metrics is what the management listener's /metrics shows
	// (management.go).
	Metrics *metrics.Metrics

	opts           Options
	handler        http.Handler
	mgmt           http.Handler // the management listener's (management.go)
	adminTokenHash []byte       // SHA-256 of the admin API token; nil: admin users only
}

// New builds a server from cfg, ready to serve. The caller owns Close.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*Server, error) {
	a, err := app.New(ctx, cfg, log, opts.Options)
	if err != nil {
		return nil, err
	}
	s := &Server{App: a, opts: opts}
	if s.adminTokenHash, err = s.adminToken(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if s.SMSOutbox == nil {
		log.Warn("no SMS gateway (GATEHOUSE_SMS_URL is empty): OTP_SMS is offered in no factor chain, and a bank role whose every chain needs it cannot be signed in to; set GATEHOUSE_SMS_URL (log: during development)")
	}
	s.Metrics = s.newMetrics()
	if s.handler, err = s.routes(); err != nil {
		a.Close()
		return nil, err
	}
	s.mgmt = s.managementRoutes()
	return s, nil
}

// adminToken is the SHA-256 of the token that opens the admin API
// (identity.Service.AdminToken); a token generated at this first start is
// written once to stderr, never to the log.
func (s *Server) adminToken(ctx context.Context) ([]byte, error) {
	hash, generated, err := s.Identity.AdminToken(ctx, s.Config.AdminToken)
	if err != nil || generated == "" {
		return hash, err
	}
	w := s.opts.Stderr
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintf(w, "gatehouse: GATEHOUSE_ADMIN_TOKEN is not set and no admin exists; the admin API token, shown this once:\n%s\n", generated)
	return hash, nil
}

// Handler is the whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }
