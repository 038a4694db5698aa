package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
)

func TestTheLogLevelSettingFiltersTheServersLines(t *testing.T) {
	for level, want := range map[string][]slog.Level{
		"debug": {slog.LevelDebug, slog.LevelInfo},
		"info":  {slog.LevelInfo, slog.LevelWarn},
		"warn":  {slog.LevelWarn, slog.LevelError},
		"error": {slog.LevelError},
	} {
		cfg := config.Default()
		cfg.LogLevel, cfg.LogFormat = level, "json"
		var buf bytes.Buffer
		log := newLogger(cfg, &buf)
		if log.Enabled(context.Background(), want[0]-4) {
			t.Errorf("%s: level %v is logged", level, want[0]-4)
		}
		for _, l := range want {
			if !log.Enabled(context.Background(), l) {
				t.Errorf("%s: level %v is not logged", level, l)
			}
		}
		log.Error("x")
		if !strings.HasPrefix(buf.String(), `{"time":`) {
			t.Errorf("%s: not JSON: %s", level, buf.String())
		}
	}
}
