package config

import (
	"net"
	"net/netip"
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
