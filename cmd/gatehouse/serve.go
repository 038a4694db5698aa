package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/internal/buildinfo"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
)

func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, env)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, stderr)
	build := buildinfo.Get()
	log.Info("gatehouse starting", append([]any{"version", build.Version, "commit", build.Commit}, cfg.Redacted()...)...)
	srv, err := server.New(ctx, cfg, log, server.Options{Version: build.Version, Commit: build.Commit, Stderr: stderr})
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.Run(ctx)
}

func migrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, env)
	if err != nil {
		return err
	}
	applied, err := store.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}

// version prints the stamped version and commit (see internal/buildinfo),
// the Go release and the platform.
func version(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	_, err := fmt.Fprintln(stdout, buildinfo.Get())
	return err
}
