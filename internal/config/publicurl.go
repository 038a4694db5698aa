package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// defaultPublicURL is GATEHOUSE_PUBLIC_URL when none is set:
// http://GATEHOUSE_ADDR on SQLite (one node) when the address names a
// loopback or a named host, which is then also what a client of this
// machine types; "" otherwise, which Validate refuses. With PostgreSQL
// several nodes share the database and must name one issuer, which no
// node's listen address tells; a wildcard or another IP address tells
// neither what clients reach.
func (c Config) defaultPublicURL() string {
	if c.SQLitePath() == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" {
		return ""
	}
	if ip, err := netip.ParseAddr(host); err == nil && !ip.IsLoopback() {
		return ""
	}
	return "http://" + net.JoinHostPort(host, port)
}

// publicURLMissing says why GATEHOUSE_PUBLIC_URL must be set.
func (c Config) publicURLMissing() string {
	if c.SQLitePath() == "" {
		return "required with PostgreSQL: every node must name the same issuer; set it to the URL clients reach (https://auth.example.com)"
	}
	return "required when GATEHOUSE_ADDR (" + c.Addr + ") is not a loopback or named host; set it to the URL clients reach (https://auth.example.com)"
}

// normalizePublicURL is the public URL as every user of the setting sees
// it: without trailing slashes. It is the issuer (OpenID Connect Discovery
// §4.3 compares it character for character with iss) and the base every
// path is appended to, so "https://auth.example.com/" would otherwise
// give one issuer in discovery and another in tokens, and "//" in links.
func normalizePublicURL(s string) string { return strings.TrimRight(s, "/") }

// validatePublicURL refuses what cannot be a base URL: a query or a
// fragment would end up in the middle of every link and issuer.
func (c Config) validatePublicURL() error {
	if c.PublicURL == "" {
		return fmt.Errorf("GATEHOUSE_PUBLIC_URL: %s", c.publicURLMissing())
	}
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("GATEHOUSE_PUBLIC_URL: want an absolute http(s) URL such as https://auth.example.com")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(c.PublicURL, "#"):
		return fmt.Errorf("GATEHOUSE_PUBLIC_URL: want a URL without a query or fragment (the base of every link and the issuer of tokens)")
	case u.User != nil:
		return fmt.Errorf("GATEHOUSE_PUBLIC_URL: want a URL without user information")
	}
	return nil
}
