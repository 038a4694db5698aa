package config

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// MinAdminToken is the length below which GATEHOUSE_ADMIN_TOKEN is
// warned about (refused with an https public URL): 32 characters of a
// random token are past guessing, "dev-admin-token" is not.
const MinAdminToken = 32

// Warnings lists the settings that work but are unsafe outside
// development, one line each naming the setting, for the start-up log.
func (c Config) Warnings() []string {
	var out []string
	if c.SMTPURL == "" {
		out = append(out, "GATEHOUSE_SMTP_URL is empty: every mail, with its links and codes (password resets, e-mail confirmations, sign-in codes), "+
			"is written to the server's standard error, for development only; set GATEHOUSE_SMTP_URL in production")
	}
	if t := c.AdminToken; t != "" && len([]rune(t)) < MinAdminToken {
		out = append(out, fmt.Sprintf("GATEHOUSE_ADMIN_TOKEN is shorter than %d characters: a guessable admin token opens the whole admin API; "+
			"use a random one (openssl rand -hex 32); with an https GATEHOUSE_PUBLIC_URL it is refused", MinAdminToken))
	}
	if strings.HasPrefix(c.PublicURL, "http://") && !loopbackAddr(c.Addr) {
		out = append(out, "GATEHOUSE_PUBLIC_URL is plain http while GATEHOUSE_ADDR ("+c.Addr+") is reachable from other machines: "+
			"cookies go without Secure, no HSTS is sent, and the hosted pages' WebCrypto needs https; use an https URL (a TLS proxy in front)")
	}
	if m := c.Management(); m != "" && !loopbackAddr(m) {
		out = append(out, "GATEHOUSE_MANAGEMENT_ADDR ("+m+") is not a loopback address: /metrics and /readyz have no authentication; "+
			"keep it reachable only by your probes and monitoring on a private network, never from the public")
	}
	return out
}

// loopbackAddr tells whether a listen address accepts connections from
// this machine only: a loopback IP or "localhost". A wildcard (":8080",
// "0.0.0.0:8080"), another IP or another name may be reached from others.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// validateAdminToken refuses a short admin token where the server is
// public (an https public URL); elsewhere Warnings warns about it, so the
// development recipes' short tokens keep working.
func (c Config) validateAdminToken() []error {
	if t := c.AdminToken; t != "" && len([]rune(t)) < MinAdminToken && strings.HasPrefix(c.PublicURL, "https://") {
		return []error{fmt.Errorf("GATEHOUSE_ADMIN_TOKEN: %d characters are too few with an https GATEHOUSE_PUBLIC_URL; "+
			"want at least %d (openssl rand -hex 32)", len([]rune(t)), MinAdminToken)}
	}
	return nil
}
