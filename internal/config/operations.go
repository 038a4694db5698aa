package config

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
)

// validateOperations checks the shutdown, management and log settings. The
// drain must outlast the request deadline: a request stalled on the
// database until its deadline still gets its answer (503) before the
// server stops, instead of a cut connection.
func (c Config) validateOperations() []error {
	var errs []error
	if c.ShutdownDelay < 0 {
		errs = append(errs, fmt.Errorf("GATEHOUSE_SHUTDOWN_DELAY: must not be negative"))
	}
	if c.ShutdownTimeout <= c.RequestTimeout {
		errs = append(errs, fmt.Errorf("GATEHOUSE_SHUTDOWN_TIMEOUT: %v must be longer than GATEHOUSE_REQUEST_TIMEOUT (%v), so that requests in flight finish within the drain", c.ShutdownTimeout, c.RequestTimeout))
	}
	if m := c.Management(); m != "" {
		if _, port, err := net.SplitHostPort(m); err != nil {
			errs = append(errs, fmt.Errorf("GATEHOUSE_MANAGEMENT_ADDR: %v (empty or off: no management listener)", err))
		} else if m == c.Addr && port != "0" { // port 0: each listener gets a free port of its own
			errs = append(errs, fmt.Errorf("GATEHOUSE_MANAGEMENT_ADDR: %s is GATEHOUSE_ADDR too; the management endpoints need a listener of their own", m))
		}
	}
	if _, ok := logLevels[strings.ToLower(c.LogLevel)]; !ok {
		errs = append(errs, fmt.Errorf("GATEHOUSE_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel))
	}
	return errs
}

// Management is the management listener's address, "" when it is off
// (GATEHOUSE_MANAGEMENT_ADDR empty or "off").
func (c Config) Management() string {
	if strings.EqualFold(c.ManagementAddr, "off") {
		return ""
	}
	return c.ManagementAddr
}

var logLevels = map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

// SlogLevel is GATEHOUSE_LOG_LEVEL as a slog level (info when unknown:
// Validate refuses those).
func (c Config) SlogLevel() slog.Level { return logLevels[strings.ToLower(c.LogLevel)] }

// Environ is Load's getenv for the process environment. An empty variable
// reads as unset, as for every setting, except for the settings whose
// empty value means something (tag empty: GATEHOUSE_MANAGEMENT_ADDR=
// turns the management listener off): those read as that tag's word.
func Environ(name string) string {
	v, set := os.LookupEnv(name)
	if !set || v != "" {
		return v
	}
	for _, s := range settings {
		if s.env == name {
			return s.empty
		}
	}
	return ""
}

// UnknownVariables lists the warnings for the GATEHOUSE_* entries of
// environ (os.Environ's NAME=VALUE form) that Gatehouse does not read: a
// typo such as GATEHOUSE_ADRR would otherwise leave a setting at its
// default unnoticed. The test harness's GATEHOUSE_TEST_* are not warned
// about. Each warning names the variable and, when one is close, the
// variable meant.
func UnknownVariables(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "GATEHOUSE_") || knownVariable(name) {
			continue
		}
		msg := name + " is no Gatehouse setting and is ignored"
		if base, ok := strings.CutSuffix(name, "_FILE"); ok && knownVariable(base) {
			msg += " (" + base + " has no _FILE variant: only the secrets and GATEHOUSE_DATABASE_URL have)"
		} else if s := closest(name, variableNames()); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}
