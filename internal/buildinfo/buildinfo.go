// Package buildinfo tells which build of Gatehouse is running: the version
// and commit a release stamps into the binary, or what the Go toolchain
// recorded when nothing was stamped.
//
// A release build stamps both with the linker:
//
//	go build -ldflags "-X github.com/gatehouse/gatehouse/internal/buildinfo.Version=v1.2.3 \
//	  -X github.com/gatehouse/gatehouse/internal/buildinfo.Commit=$(git rev-parse HEAD)" ./cmd/gatehouse
//
// scripts/release.sh does exactly that.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at link time (-ldflags -X); empty means not
// stamped. They are variables only because the linker can set nothing
// else: read them through Get.
var (
	Version string
	Commit  string
)

// What Get reports when neither a stamp nor the toolchain knows better.
const (
	Dev     = "dev"     // version of a build from a work tree (go run, go build)
	Unknown = "unknown" // commit of a build without VCS information
)

// Info describes the running binary.
type Info struct {
	Version   string // stamped version, else the module version, else Dev
	Commit    string // stamped commit, else vcs.revision (+"-dirty"), else Unknown
	GoVersion string // the Go release that compiled the binary
	Platform  string // GOOS/GOARCH
}

// Get returns the running binary's Info.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolve(Version, Commit, bi)
}

// String is the line `gatehouse version` prints.
func (i Info) String() string {
	return fmt.Sprintf("gatehouse %s (commit %s, %s, %s)", i.Version, i.Commit, i.GoVersion, i.Platform)
}

// resolve picks each value in order: the link-time stamp, then the build
// information the go command embeds (a module version when built with
// `go install module@version`; vcs.revision when built inside a
// checkout), then the defaults.
func resolve(version, commit string, bi *debug.BuildInfo) Info {
	info := Info{Version: Dev, Commit: Unknown, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		if rev := setting(bi, "vcs.revision"); rev != "" {
			info.Commit = rev
			if setting(bi, "vcs.modified") == "true" {
				info.Commit += "-dirty"
			}
		}
	}
	if version != "" {
		info.Version = version
	}
	if commit != "" {
		info.Commit = commit
	}
	return info
}

func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
