package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/config"
)

// defaultHealthURL is the management listener's readiness at its
// default address (127.0.0.1:8081), also what a container's probe asks
// with GATEHOUSE_MANAGEMENT_ADDR=:8081.
const defaultHealthURL = "http://127.0.0.1:8081/readyz"

// healthcheck is the probe of a container image that has no shell and no
// curl: `gatehouse healthcheck [URL]` exits 0 when URL answers 2xx within
// a few seconds, and 1 otherwise. Without URL it asks the readiness of the
// management listener GATEHOUSE_MANAGEMENT_ADDR names (the node's own
// setting, so a second node on this host is not mistaken for this one).
func (c *cli) healthcheckCmd() *cobra.Command {
	return &cobra.Command{Use: "healthcheck [URL]", Short: "Exit 0 when URL (default: GATEHOUSE_MANAGEMENT_ADDR's /readyz, " + defaultHealthURL + ") answers 2xx",
		Args: args(0, 1), RunE: func(cmd *cobra.Command, a []string) error {
			for _, w := range config.UnknownVariables(c.environ()) {
				fmt.Fprintln(c.stderr, "gatehouse: warning:", w)
			}
			target, err := healthURL(c.env("GATEHOUSE_MANAGEMENT_ADDR"))
			if len(a) == 1 {
				target, err = a[0], nil
			}
			if err != nil {
				return err
			}
			return healthcheck(cmd.Context(), target, c.stdout)
		}}
}

// healthURL is the readiness URL of the management listener at addr
// (GATEHOUSE_MANAGEMENT_ADDR: "" is the default address; a wildcard host
// is asked on loopback). "off" has no listener to ask: the operator names
// a URL (the public listener's /status).
func healthURL(addr string) (string, error) {
	switch {
	case addr == "":
		return defaultHealthURL, nil
	case strings.EqualFold(addr, "off"):
		return "", errors.New("healthcheck: GATEHOUSE_MANAGEMENT_ADDR is off: name the URL to ask (the public listener's /status)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("healthcheck: GATEHOUSE_MANAGEMENT_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
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
