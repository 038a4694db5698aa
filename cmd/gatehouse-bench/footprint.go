package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/bench"
)

// footprintCmd starts the server binary, times it to the first 200 from
// GET /status, waits, and reads its idle RSS; then stops it.
func footprintCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("footprint", flag.ExitOnError)
	bin := fs.String("server", "./gatehouse", "the server binary (go build -o gatehouse ./cmd/gatehouse)")
	addr := fs.String("addr", "127.0.0.1:18080", "GATEHOUSE_ADDR for the started server")
	idle := fs.Duration("idle", 5*time.Second, "wait after ready before reading RSS")
	fs.Parse(args)
	cmd := exec.CommandContext(ctx, *bin, "serve")
	// The management listener on a free port: 8081 may be another server's.
	cmd.Env = append(os.Environ(), "GATEHOUSE_ADDR="+*addr, "GATEHOUSE_MANAGEMENT_ADDR=127.0.0.1:0", "GATEHOUSE_LOG_FORMAT=json")
	cmd.Stdout, cmd.Stderr = nil, nil
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", *bin, err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	ready, err := waitReady(ctx, "http://"+*addr+"/status", 5*time.Minute)
	if err != nil {
		return err
	}
	elapsed := ready.Sub(start)
	time.Sleep(*idle) // idle means: nothing asked of it for this long
	rss, peak, err := bench.Memory(cmd.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Printf("ready in %v; idle RSS %.1f MiB (peak %.1f MiB) after %v; database %s\n",
		elapsed.Round(time.Millisecond), rss, peak, *idle, redact(os.Getenv("GATEHOUSE_DATABASE_URL")))
	return nil
}

// waitReady polls url until it answers 200. It polls every 5 ms, so the
// start-up time is overstated by at most that.
func waitReady(ctx context.Context, url string, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		if r, err := c.Get(url); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return time.Time{}, fmt.Errorf("%s not ready within %v", url, limit)
}

// redact hides a password in a database URL.
func redact(u string) string {
	if i := strings.Index(u, "@"); i > 0 && strings.Contains(u[:i], "://") {
		scheme, rest, _ := strings.Cut(u[:i], "://")
		if user, _, found := strings.Cut(rest, ":"); found {
			return scheme + "://" + user + ":***" + u[i:]
		}
	}
	return u
}
