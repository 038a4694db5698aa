package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestStampedValuesComeFirstThenTheModuleBuildInfoThenDefaults(t *testing.T) {
	module := &debug.BuildInfo{
		GoVersion: "go1.99",
		Main:      debug.Module{Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.modified", Value: "false"},
		},
	}
	devel := &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}}
	dirty := &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "fedcba"}, {Key: "vcs.modified", Value: "true"},
	}}
	cases := []struct {
		name                    string
		version, commit         string
		bi                      *debug.BuildInfo
		wantVersion, wantCommit string
	}{
		{"ldflags beat build info", "v9.9.9", "abc123", module, "v9.9.9", "abc123"},
		{"build info when nothing is stamped", "", "", module, "v1.2.3", "0123456789abcdef"},
		{"one stamped, the other from build info", "", "abc123", module, "v1.2.3", "abc123"},
		{"a devel build has no version", "", "", devel, Dev, Unknown},
		{"uncommitted changes are marked", "", "", dirty, Dev, "fedcba-dirty"},
		{"no build info at all", "", "", nil, Dev, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := resolve(c.version, c.commit, c.bi)
			if got.Version != c.wantVersion || got.Commit != c.wantCommit {
				t.Fatalf("resolve = %s (commit %s); want %s (commit %s)", got.Version, got.Commit, c.wantVersion, c.wantCommit)
			}
			if got.Platform != runtime.GOOS+"/"+runtime.GOARCH || got.GoVersion != runtime.Version() {
				t.Fatalf("platform %q, go %q", got.Platform, got.GoVersion)
			}
		})
	}
}

func TestStringNamesVersionCommitGoAndPlatform(t *testing.T) {
	s := Info{Version: "v1.0.0", Commit: "abc", GoVersion: "go1.26.8", Platform: "linux/arm64"}.String()
	for _, want := range []string{"gatehouse v1.0.0", "commit abc", "go1.26.8", "linux/arm64"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
}
