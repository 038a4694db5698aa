package config

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"reflect"
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
	return emptyMeaning[name]
}

// emptyMeaning maps a variable to the word an empty value stands for.
var emptyMeaning = func() map[string]string {
	m := map[string]string{}
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		if w := t.Field(i).Tag.Get("empty"); w != "" {
			m[t.Field(i).Tag.Get("env")] = w
		}
	}
	return m
}()
