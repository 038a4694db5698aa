package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Run listens on cfg.Addr and serves until ctx ends (Serve).
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (GATEHOUSE_ADDR): %w", s.Config.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve runs the background jobs and serves HTTP on ln until ctx ends
// (SIGTERM or SIGINT in production), then shuts down in three steps:
//
//  1. For GATEHOUSE_SHUTDOWN_DELAY it keeps serving while the health state
//     says "stopping" (so that load balancers stop routing here) and
//     answers close their keep-alive connections.
//  2. It stops accepting and waits for the requests in flight, up to
//     GATEHOUSE_SHUTDOWN_TIMEOUT, which config validation keeps longer than
//     the request deadline: a request stalled on the database still gets
//     its answer, at worst the 503 of its deadline.
//  3. It stops the background jobs (the outbox worker between mails) and
//     logs one line that the server stopped.
//
// It returns nil after a clean stop, an error when serving failed or the
// drain had to cut requests.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.handler, ErrorLog: slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)}
	Harden(srv)
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	jobs := s.Start(jobsCtx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// Logged once the port is bound: ln is listening already.
	s.Log.Info("gatehouse listening", "addr", ln.Addr().String(), "public_url", s.Config.PublicURL)
	select {
	case err := <-served:
		stopJobs()
		<-jobs
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(srv, stopJobs, jobs)
}

func (s *Server) shutdown(srv *http.Server, stopJobs func(), jobs <-chan struct{}) error {
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
	stopJobs()
	select {
	case <-jobs:
	case <-drain.Done():
	}
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
		s.Log.Error("gatehouse stopped: requests still running after the drain were cut", "took", time.Since(began))
		return fmt.Errorf("shutdown: requests still running after GATEHOUSE_SHUTDOWN_TIMEOUT (%v)", s.Config.ShutdownTimeout)
	}
	s.Log.Info("gatehouse stopped", "took", time.Since(began))
	return err
}
