package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/buildinfo"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, env)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	build := buildinfo.Get()
	log.Info("gatehouse starting", append([]any{"version", build.Version, "commit", build.Commit}, cfg.Redacted()...)...)
	srv, err := server.New(ctx, cfg, log, server.Options{Version: build.Version, Commit: build.Commit,
		Options: app.Options{Stderr: stderr, LimitMemory: true, HashWorker: hashWorkerCommand()}})
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.Run(ctx)
}

func migrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	check := slices.ContainsFunc(args, func(a string) bool { return a == "--check" || a == "-check" })
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--check" || a == "-check" })
	cfg, err := config.Load(args, env)
	if err != nil {
		return err
	}
	if check {
		return checkEmailKeys(ctx, cfg.DatabaseURL, stdout)
	}
	applied, err := app.Migrate(ctx, cfg.DatabaseURL)
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

// checkEmailKeys is `gatehouse migrate --check`: it lists the accounts
// whose stored addresses share one key (migrate refuses to run while any
// remain) and those whose address the key's rules refuse (they keep their
// old key). It changes nothing, and fails while collisions remain.
func checkEmailKeys(ctx context.Context, databaseURL string, stdout io.Writer) error {
	collisions, refused, err := app.CheckEmailKeys(ctx, databaseURL)
	if err != nil {
		return err
	}
	for _, a := range refused {
		fmt.Fprintln(stdout, "kept under its old key (refused for new accounts):", a)
	}
	if len(collisions) == 0 {
		fmt.Fprintln(stdout, "no two accounts share an e-mail address")
		return nil
	}
	return &app.CollisionError{Collisions: collisions}
}

// version prints the stamped version and commit (see internal/buildinfo),
// the Go release and the platform.
func version(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	_, err := fmt.Fprintln(stdout, buildinfo.Get())
	return err
}
