package main

import (
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"time"
)

// noopCmd serves GET /status with a handler that touches nothing — no
// middleware, no health state, a fixed JSON answer — on plain net/http:
// the bound of Gatehouse's /status (BENCHMARKS.md), run pinned to the
// server's CPUs and driven by the same status scenario.
func noopCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("noop", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:18090", "listen address")
	fs.Parse(args)
	body := []byte(`{"status":"ok"}` + "\n")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
