package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
)

// Run listens (Listen) and serves until ctx ends (ServeManaged).
func (s *Server) Run(ctx context.Context) error {
	ln, mgmt, err := Listen(s.Config)
	if err != nil {
		return err
	}
	return s.ServeManaged(ctx, ln, mgmt)
}

// Listen binds GATEHOUSE_ADDR and, unless it is off,
// GATEHOUSE_MANAGEMENT_ADDR (mgmt nil then). A port that is taken is an
// error naming its setting. The serve command binds before it builds the
// server, so that a taken port stops the start before the first start's
// admin token is made and shown (it would be lost with the failed start).
func Listen(cfg config.Config) (ln, mgmt net.Listener, err error) {
	ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s (GATEHOUSE_ADDR): %w", cfg.Addr, err)
	}
	if addr := cfg.Management(); addr != "" {
		if mgmt, err = net.Listen("tcp", addr); err != nil {
			ln.Close()
			return nil, nil, fmt.Errorf("listen on %s (GATEHOUSE_MANAGEMENT_ADDR, the health and metrics listener; empty or off turns it off): %w", addr, err)
		}
	}
	return ln, mgmt, nil
}

// Serve is ServeManaged without a management listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.ServeManaged(ctx, ln, nil)
}

// ServeManaged runs the background jobs, serves the public HTTP surface on
// ln and the management endpoints on mgmt (none when nil) until ctx ends
// (SIGTERM or SIGINT in production), then shuts down in three steps:
//
//  1. For GATEHOUSE_SHUTDOWN_DELAY it keeps serving while the health state
//     says "stopping" (/readyz and /status answer 503, so that load
//     balancers stop routing here) and answers close their keep-alive
//     connections.
//  2. It stops accepting and waits for the requests in flight, up to
//     GATEHOUSE_SHUTDOWN_TIMEOUT, which config validation keeps longer than
//     the request deadline: a request stalled on the database still gets
//     its answer, at worst the 503 of its deadline. The management
//     listener answers until the public one has drained.
//  3. It stops the background jobs (the outbox worker between mails) and
//     logs one line that the server stopped.
//
// It returns nil after a clean stop, an error when serving failed or the
// drain had to cut requests.
func (s *Server) ServeManaged(ctx context.Context, ln, mgmt net.Listener) error {
	srv := s.httpServer(s.handler)
	var msrv *http.Server
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	jobs := s.Start(jobsCtx)
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	// Logged once the port is bound: ln is listening already.
	s.Log.Info("gatehouse listening", "addr", ln.Addr().String(), "public_url", s.Config.PublicURL)
	if mgmt != nil {
		msrv = s.httpServer(s.mgmt)
		go func() { served <- msrv.Serve(mgmt) }()
		s.Log.Info("management listening", "addr", mgmt.Addr().String(), "paths", "/healthz /readyz /metrics")
	}
	select {
	case err := <-served:
		srv.Close()
		if msrv != nil {
			msrv.Close()
		}
		stopJobs()
		<-jobs
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(srv, msrv, stopJobs, jobs)
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	srv := &http.Server{Handler: h, ErrorLog: slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)}
	Harden(srv)
	return srv
}

func (s *Server) shutdown(srv, msrv *http.Server, stopJobs func(), jobs <-chan struct{}) error {
	began := time.Now()
	s.Health.BeginShutdown()
	srv.SetKeepAlivesEnabled(false)
	s.Log.Info("gatehouse stopping", "delay", s.Config.ShutdownDelay, "timeout", s.Config.ShutdownTimeout)
	delay := time.NewTimer(s.Config.ShutdownDelay)
	<-delay.C
	s.Log.Info("gatehouse draining: no new connections")
	drain, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(drain)
	if msrv != nil {
		_ = msrv.Shutdown(drain)
	}
	stopJobs()
	select {
	case <-jobs:
	case <-drain.Done():
	}
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
		if msrv != nil {
			_ = msrv.Close()
		}
		s.Log.Error("gatehouse stopped: requests still running after the drain were cut", "took", time.Since(began))
		return fmt.Errorf("shutdown: requests still running after GATEHOUSE_SHUTDOWN_TIMEOUT (%v)", s.Config.ShutdownTimeout)
	}
	s.Log.Info("gatehouse stopped", "took", time.Since(began))
	return err
}
