package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

// defaultHealthURL is the management listener's readiness as seen from
// inside a container (GATEHOUSE_MANAGEMENT_ADDR=:8081) or on the host of
// a node (its default, 127.0.0.1:8081). With the management listener off,
// pass the public listener's /status instead.
const defaultHealthURL = "http://127.0.0.1:8081/readyz"

// healthcheck is the probe of a container image that has no shell and no
// curl: `gatehouse healthcheck [URL]` exits 0 when URL answers 2xx within
// a few seconds, and 1 otherwise.
func (c *cli) healthcheckCmd() *cobra.Command {
	return &cobra.Command{Use: "healthcheck [URL]", Short: "Exit 0 when URL (default " + defaultHealthURL + ") answers 2xx",
		Args: args(0, 1), RunE: func(cmd *cobra.Command, a []string) error {
			target := defaultHealthURL
			if len(a) == 1 {
				target = a[0]
			}
			return healthcheck(cmd.Context(), target, c.stdout)
		}}
}

func healthcheck(ctx context.Context, target string, stdout io.Writer) error {
	if u, err := url.Parse(target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("healthcheck: %q is not an http(s) URL", target)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// No proxy from the environment: the probe asks this host's server.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("healthcheck: %s answered %s", target, resp.Status)
	}
	fmt.Fprintf(stdout, "%s answered %s\n", target, resp.Status)
	return nil
}
