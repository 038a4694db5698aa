package config

import (
	"log/slog"
	"strings"
	"testing"
)

func TestTheManagementListenerIsOnLoopbackByDefaultAndOffWhenEmpty(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ManagementAddr != "127.0.0.1:8081" || c.Management() != "127.0.0.1:8081" {
		t.Fatalf("default management address %q (%q), want 127.0.0.1:8081", c.ManagementAddr, c.Management())
	}
	for _, off := range [][]string{{"--management-addr="}, {"--management-addr", "off"}} {
		c, err := Load(off, env(nil))
		if err != nil || c.Validate() != nil || c.Management() != "" {
			t.Fatalf("%v: Management() = %q, err %v / %v, want off", off, c.Management(), err, c.Validate())
		}
	}
	c.ManagementAddr = "not an address"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MANAGEMENT_ADDR") {
		t.Fatalf("a bad address: %v", err)
	}
	c = Default()
	c.Addr, c.ManagementAddr = "127.0.0.1:0", "127.0.0.1:0"
	if err := c.Validate(); err != nil {
		t.Fatalf("both on port 0 (a free port each): %v", err)
	}
	c.ManagementAddr = "127.0.0.1:8080"
	c.Addr = c.ManagementAddr
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MANAGEMENT_ADDR") {
		t.Fatalf("the public address again: %v", err)
	}
}

// An empty variable reads as unset for every setting, except where empty
// has a meaning of its own: GATEHOUSE_MANAGEMENT_ADDR= turns the listener
// off, as the documentation says.
func TestAnEmptyManagementAddrInTheEnvironmentTurnsTheListenerOff(t *testing.T) {
	t.Setenv("GATEHOUSE_MANAGEMENT_ADDR", "")
	t.Setenv("GATEHOUSE_SOURCES", "")
	c, err := Load(nil, Environ)
	if err != nil {
		t.Fatal(err)
	}
	if c.Management() != "" {
		t.Fatalf("GATEHOUSE_MANAGEMENT_ADDR= gave %q, want off", c.Management())
	}
	if c.Sources != Default().Sources {
		t.Fatalf("GATEHOUSE_SOURCES= gave %q, want the default", c.Sources)
	}
}

func TestLogLevelIsOneOfFourWords(t *testing.T) {
	for word, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "info": slog.LevelInfo, "WARN": slog.LevelWarn, "error": slog.LevelError} {
		c, err := Load(nil, env(map[string]string{"GATEHOUSE_LOG_LEVEL": word}))
		if err != nil || c.Validate() != nil || c.SlogLevel() != want {
			t.Fatalf("%q: level %v, err %v / %v, want %v", word, c.SlogLevel(), err, c.Validate(), want)
		}
	}
	c := Default()
	c.LogLevel = "verbose"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_LOG_LEVEL") {
		t.Fatalf("verbose: %v", err)
	}
}
